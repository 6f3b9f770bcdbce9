package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress draws a one-line progress display on a terminal, rewriting it
// in place at most five times a second; on anything else (a log file, a
// pipe) it prints nothing, so that captured output stays clean.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	on    bool
	last  time.Time
	start time.Time
	drawn bool
}

func newProgress(w io.Writer, label string) *progress {
	p := &progress{w: w, label: label, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

func (p *progress) update(done, total int) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if done < total && now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	frac := float64(done) / float64(max(total, 1))
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
	if done > 0 && done < total {
		eta = fmt.Sprintf(", ~%.0f s left", elapsed/frac-elapsed)
	}
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d (%.0f s%s)   ", p.label, bar, done, total, elapsed, eta)
	p.drawn = true
}

// finish ends the display line.
func (p *progress) finish() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
