package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress draws a one-line progress display on a terminal: a label (for
// "compare --all" it starts with the experiment's place, "[3/14]"), a bar
// of the runs done, the elapsed time and an estimate of the time left. It
// is redrawn in place when a run finishes and once a second in between, so
// that long runs show the clock moving. On anything else (a log file, a
// pipe) it prints nothing, so that captured output stays clean.
type progress struct {
	mu          sync.Mutex
	w           io.Writer
	label       string
	on          bool
	start       time.Time
	done, total int
	drawn       bool
	stop        chan struct{}
	stopped     sync.WaitGroup
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newProgress(w io.Writer, label string) *progress {
	p := &progress{w: w, label: label, start: time.Now(), on: isTerminal(w)}
	if p.on {
		p.stop = make(chan struct{})
		p.stopped.Add(1)
		go p.tick()
	}
	return p
}

// tick redraws the line every second until finish.
func (p *progress) tick() {
	defer p.stopped.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.total > 0 {
				p.draw(time.Now())
			}
			p.mu.Unlock()
		}
	}
}

// update records that done of total runs have finished.
func (p *progress) update(done, total int) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.total = done, total
	p.draw(time.Now())
}

// draw writes the line; p.mu is held.
func (p *progress) draw(now time.Time) {
	frac := float64(p.done) / float64(max(p.total, 1))
	const width = 30
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if float64(i) < frac*width {
			bar[i] = '='
		}
	}
	elapsed := now.Sub(p.start).Seconds()
	eta := ""
	if p.done > 0 && p.done < p.total {
		eta = fmt.Sprintf(", ~%.0f s left", elapsed/frac-elapsed)
	}
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d (%.0f s%s)   ", p.label, bar, p.done, p.total, elapsed, eta)
	p.drawn = true
}

// finish stops the display and ends its line.
func (p *progress) finish() {
	if p == nil || !p.on {
		return
	}
	close(p.stop)
	p.stopped.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
