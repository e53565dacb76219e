package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/nianbao/nianbao/export"
	"github.com/nianbao/nianbao/store"
)

// readEvery is how often a long read (export, stats, verify) says how far
// it is.
const readEvery = 3 * time.Second

// reading follows a command that reads the whole store: every few seconds
// it prints how many of what it has read, and it stops the read when the
// command's context ends (Ctrl-C).
type reading struct {
	ctx   context.Context
	w     io.Writer
	what  string // "reports", "documents"
	done  int
	start time.Time
	last  time.Time
	err   error // the context's end, met where it could not be returned
}

func newReading(ctx context.Context, w io.Writer, what string) *reading {
	now := time.Now()
	return &reading{ctx: ctx, w: w, what: what, start: now, last: now}
}

// step counts one more; it is an error once the context is done.
func (r *reading) step() error {
	if err := r.ctx.Err(); err != nil {
		return fmt.Errorf("stopped after %d %s: %w", r.done, r.what, err)
	}
	r.done++
	if now := time.Now(); now.Sub(r.last) >= readEvery {
		fmt.Fprintf(r.w, "  %d %s read (%.0f s)\n", r.done, r.what, now.Sub(r.start).Seconds())
		r.last = now
	}
	return nil
}

// readingEntries is a store's records as export reads them, followed.
type readingEntries struct {
	src export.EntrySource
	r   *reading
}

func (e readingEntries) Entries(fn func(*store.Entry) error) error {
	return e.src.Entries(func(x *store.Entry) error {
		if err := e.r.step(); err != nil {
			return err
		}
		return fn(x)
	})
}

// EntriesWhere reads the selected records, followed (every facts row read
// counts).
func (e readingEntries) EntriesWhere(match func(*store.Fact) bool, fn func(*store.Entry) error) error {
	sel, ok := e.src.(export.SelectingSource)
	if !ok {
		return e.Entries(func(x *store.Entry) error {
			if f := store.FactOf(x); !match(&f) {
				return nil
			}
			return fn(x)
		})
	}
	err := sel.EntriesWhere(func(f *store.Fact) bool {
		if err := e.r.step(); err != nil {
			e.r.err = err
			return false
		}
		return match(f)
	}, func(x *store.Entry) error {
		if e.r.err != nil {
			return e.r.err
		}
		return fn(x)
	})
	if err == nil {
		err = e.r.err // stopped after the last record it wrote
	}
	return err
}

// readingFacts is a store's facts rows as stats reads them, followed.
type readingFacts struct {
	src export.FactSource
	r   *reading
}

func (f readingFacts) Facts(fn func(*store.Fact) error) error {
	return f.src.Facts(func(x *store.Fact) error {
		if err := f.r.step(); err != nil {
			return err
		}
		return fn(x)
	})
}
