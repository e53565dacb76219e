package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/store"
)

// A store keeps the portal list it was harvested from: export, stats and
// serve attribute its reports without --seeds; --seeds still overrides.
func TestStoreKeepsItsPortalList(t *testing.T) {
	db := importSeeds(t)
	list, err := os.ReadFile("../../../shared/data/portals.csv")
	if err != nil {
		t.Fatal(err)
	}
	regions := func(args ...string) int {
		out, _, err := run(t, "", append([]string{"--db", db, "export"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range readCSV(t, out) {
			if r["region"] != "" && r["level"] != "" {
				n++
			}
		}
		return n
	}
	if n := regions(); n != 0 {
		t.Fatalf("%d reports attributed before any list is known", n)
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := keepPortals(st, "portals.csv", list); err != nil {
		t.Fatal(err)
	}
	// A list of bare URLs names no divisions: it is not kept over the real one.
	if err := keepPortals(st, "urls.txt", []byte("http://www.example.gov.cn/\n")); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if n := regions(); n < 3 {
		t.Fatalf("%d of 5 reports attributed from the list the store keeps", n)
	}
	empty := filepath.Join(t.TempDir(), "empty.csv")
	os.WriteFile(empty, []byte("code,name,level,parent_code,url,flags\n"), 0o644)
	if n := regions("--seeds", empty); n != 0 {
		t.Fatalf("--seeds did not override the kept list: %d attributed", n)
	}
	out, _, err := run(t, "", "--db", db, "stats")
	if err != nil || !strings.Contains(out, "省") {
		t.Fatalf("stats without --seeds: %v\n%s", err, out)
	}
}

// serve, started as the command is, without --seeds, draws coverage and
// lists regions from the list the store keeps.
func TestServeUsesTheKeptList(t *testing.T) {
	db := importSeeds(t)
	list, err := os.ReadFile("../../../shared/data/portals.csv")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := keepPortals(st, "portals.csv", list); err != nil {
		t.Fatal(err)
	}
	st.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		root := newRoot()
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SetArgs([]string{"--db", db, "serve", "--addr", addr})
		done <- root.ExecuteContext(ctx)
	}()
	defer func() { cancel(); <-done }()
	var body string
	for i := 0; i < 100; i++ {
		resp, err := http.Get("http://" + addr + "/coverage")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if body == "" || strings.Contains(body, "No portal list") || !strings.Contains(body, "省") {
		t.Fatalf("coverage page without --seeds: %.500s", body)
	}
}
