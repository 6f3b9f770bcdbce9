package compare

import (
	"context"
	"runtime"
	"sync"
)

// runJobs calls job(ctx, i) for i = 0..n-1 on up to workers goroutines
// (GOMAXPROCS if workers < 1) and returns the first error. After an error,
// or when ctx is cancelled, no new job starts. progress, if not nil, is
// called after each finished job with the count done so far; calls are
// serialised.
func runJobs(ctx context.Context, n, workers int, job func(ctx context.Context, i int) error, progress func(done, total int)) error {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu      sync.Mutex
		next    int
		done    int
		firstEr error
		wg      sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= n || firstEr != nil || ctx.Err() != nil {
			return 0, false
		}
		next++
		return next - 1, true
	}
	finish := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if firstEr == nil {
				firstEr = err
				cancel()
			}
			return
		}
		done++
		if progress != nil {
			progress(done, n)
		}
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := take()
				if !ok {
					return
				}
				finish(job(ctx, i))
			}
		}()
	}
	wg.Wait()
	if firstEr != nil {
		return firstEr
	}
	return ctx.Err()
}
