package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/nianbao/nianbao/fanout/natstest"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchCorpus is a corpus for BenchmarkFanout: copies of text, PDF and
// Word fixtures (each copy's bytes differ, so each is a job), or of a
// four-page scan.
func benchCorpus(b *testing.B, scans bool, n int) (map[string][]byte, int) {
	b.Helper()
	src := fixtureFiles(b, 1)
	out := map[string][]byte{}
	if scans {
		for i := range n {
			out[fmt.Sprintf("scan%03d.pdf", i)] = append(append([]byte{}, src["scan0.pdf"]...), fmt.Sprintf("%% %d\n", i)...)
		}
		return out, 4 * n
	}
	var names []string
	for name := range src {
		if !strings.HasPrefix(name, "scan") && (strings.HasSuffix(name, ".pdf") || strings.HasSuffix(name, ".txt") || strings.HasSuffix(name, ".doc")) {
			names = append(names, name)
		}
	}
	for i := range n {
		name := names[i%len(names)]
		pad := fmt.Sprintf("\n%% %d\n", i)
		if strings.HasSuffix(name, ".txt") {
			pad = strings.Repeat("\n", i/len(names)+1)
		}
		out[fmt.Sprintf("%03d-%s", i, name)] = append(append([]byte{}, src[name]...), pad...)
	}
	return out, 0
}

var waitingLine = regexp.MustCompile(`waiting for jobs`)

// BenchmarkFanout re-extracts the same corpus locally and through 1 and 2
// worker processes on this machine, printing documents/s and OCR pages/s:
//
//	go test ./cmd/nianbao -run '^$' -bench Fanout -benchtime 1x
func BenchmarkFanout(b *testing.B) {
	if _, err := os.Stat("../../extract/testdata/attachments/003_scan.pdf"); err != nil {
		b.Skip(err)
	}
	for _, kind := range []struct {
		name  string
		scans bool
		n     int
	}{{"documents", false, 120}, {"scans", true, 6}} {
		files, pages := benchCorpus(b, kind.scans, kind.n)
		for _, workers := range []int{0, 1, 2} {
			mode := "local"
			if workers > 0 {
				mode = fmt.Sprintf("workers=%d", workers)
			}
			b.Run(kind.name+"/"+mode, func(b *testing.B) {
				var m benchRun
				for range b.N {
					r := benchOnce(b, files, workers)
					m.wall += r.wall
					m.coord += r.coord
					m.workers += r.workers
					m.maxRSS = max(m.maxRSS, r.maxRSS)
				}
				s, docs := m.wall.Seconds(), float64(len(files)*b.N)
				b.ReportMetric(docs/s, "docs/s")
				if pages > 0 {
					b.ReportMetric(float64(pages*b.N)/s, "pages/s")
				}
				b.ReportMetric(float64(m.coord.Milliseconds())/docs, "coord-cpu-ms/doc")
				if workers > 0 {
					b.ReportMetric(float64(m.workers.Milliseconds())/docs, "worker-cpu-ms/doc")
					b.ReportMetric(float64(m.maxRSS)/1024, "worker-peak-MB")
					b.ReportMetric(m.workers.Seconds()/s, "worker-cores") // what the machine gave the workers
				}
			})
		}
	}
}

// benchRun is what one re-extraction took: its time, the CPU of this
// process (the local run with its tesseract children, or the coordinator
// with the embedded NATS server) and the CPU of the worker processes (with
// their tesseract children, from their start to their stop).
type benchRun struct {
	wall, coord, workers time.Duration
	maxRSS               int64 // the largest worker's peak resident memory, KB
}

// cpuNow is the CPU this process and its waited-for children have used.
func cpuNow() time.Duration {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

// benchOnce times one re-extraction of a fresh store of files, locally
// (workers 0) or through that many worker processes and a NATS server on
// loopback. The store and the workers' start are not timed.
func benchOnce(b *testing.B, files map[string][]byte, workers int) benchRun {
	b.StopTimer()
	db := fanoutStore(b, files)
	args := []string{"--db", db, "reextract"}
	var procs []*proc
	if workers > 0 {
		url := natstest.Start(b)
		for i := range workers {
			p := startProc(b, "worker", "--nats", url, "--name", fmt.Sprintf("w%d", i+1), "--quiet")
			p.waitLine(b, waitingLine)
			procs = append(procs, p)
		}
		args = append(args, "--nats", url)
	}
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	b.StartTimer()
	start, cpu := time.Now(), cpuNow()
	err := root.ExecuteContext(context.Background())
	r := benchRun{wall: time.Since(start), coord: cpuNow() - cpu}
	b.StopTimer()
	for _, p := range procs {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		if werr := <-p.done; werr != nil {
			b.Errorf("a worker stopped with %v:\n%s", werr, p.log())
		}
		r.workers += p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
		if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.maxRSS = max(r.maxRSS, ru.Maxrss)
		}
	}
	if err != nil {
		b.Fatalf("%s: %v\n%s", args, err, out.String())
	}
	if !strings.Contains(out.String(), fmt.Sprintf("re-extracted %d report(s)", len(files))) || strings.Contains(out.String(), " 0 record(s) written") {
		b.Fatalf("%s:\n%s", args, out.String())
	}
	return r
}
