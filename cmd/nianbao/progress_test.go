package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/nianbao/nianbao/crawler"
	"github.com/nianbao/nianbao/extract"
	"github.com/nianbao/nianbao/store"
)

// The progress line gives the last interval's pages/s against the politeness
// bound over it: on a world of slow servers, both are there, the bound is the
// hosts with work ÷ the delay, and the rate stays under it.
func TestProgressLineShowsRateAgainstBound(t *testing.T) {
	t.Parallel()
	srv, dir, _ := startSimweb(t, 7, 4)
	st, err := store.Open(dir+"/p.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ex, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	seeds := srv.World().SeedURLs()
	const delay = 500 * time.Millisecond
	c, err := crawler.New(crawler.Config{Proxy: srv.ProxyURL(), CAFile: dir + "/ca.pem", AllowPrivate: true, Delay: delay,
		Timeout: 5 * time.Second}, st, ex, seeds)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	stop, done := make(chan struct{}), make(chan struct{})
	go progress(&out, c, 2*time.Second, stop, done)
	ctx, cancel := context.WithTimeout(context.Background(), 7*time.Second)
	defer cancel()
	if _, err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-done
	t.Logf("progress:\n%s", out.String())
	line := regexp.MustCompile(`fetched (\d+) \(([\d.]+)/s of a politeness bound of (\d+)/s\)`)
	ms := line.FindAllStringSubmatch(out.String(), -1)
	if len(ms) < 2 {
		t.Fatalf("%d progress lines in 7s at one every 2s:\n%s", len(ms), out.String())
	}
	for _, m := range ms {
		rate, _ := strconv.ParseFloat(m[2], 64)
		bound, _ := strconv.Atoi(m[3])
		// At most one request per host per delay: the bound is a whole number
		// of hosts ÷ 0.5 s, and the rate over an interval stays near or under
		// it (a host's first request is not held back by any delay).
		if bound <= 0 || bound > 2*len(srv.World().Hosts) || rate > 1.5*float64(bound) {
			t.Errorf("progress line %q: rate %.1f, bound %d for %d hosts at %s", m[0], rate, bound, len(srv.World().Hosts), delay)
		}
	}
}
