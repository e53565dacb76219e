package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/nianbao/nianbao/store"
)

// publishSnapshots keeps a copy of the store beside it for the readers
// (export, stats, history, verify) while a crawl holds the file: one at once,
// then every `every`, or ten times what the last copy took if that is longer,
// so a large store is not copied without pause. stop ends it and removes the
// copy: once the crawl closes the store, readers open the store itself.
func publishSnapshots(ctx context.Context, st *store.Store, every time.Duration, errOut io.Writer) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			took, err := st.Snapshot()
			if err != nil {
				fmt.Fprintf(errOut, "nianbao: %v (readers wait for the crawl to end)\n", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(max(every, 10*took)):
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
		if err := st.DropSnapshot(); err != nil {
			fmt.Fprintf(errOut, "nianbao: %v\n", err)
		}
	}
}

// snapshotNote tells a reader that it reads a running crawl's published copy.
func snapshotNote(st *store.Store, errOut io.Writer) {
	if t := st.Snapshotted(); !t.IsZero() {
		fmt.Fprintf(errOut, "nianbao: %s is held by a running crawl; reading its copy of %s (%s old)\n",
			st.Path(), t.Format("15:04:05"), time.Since(t).Round(time.Second))
	}
}
