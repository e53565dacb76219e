package crawler

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nianbao/nianbao/simweb"
	"github.com/nianbao/nianbao/store"
)

// peakRSS reads the process's high-water resident set (VmHWM) in bytes.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(sc.Text())[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func cpuTime() time.Duration { return processCPU() }

// benchCrawl crawls a world of the given size with a 100 ms per-host delay for at
// most limit, and prints pages/s against the politeness bound (hosts ÷ delay),
// CPU per page and the peak RSS (the simulated web runs in the same process).
func benchCrawl(b *testing.B, hosts int, limit time.Duration) {
	for b.Loop() {
		h := newHarnessFaults(b, hosts, 0, false)
		h.cfg.Delay = 100 * time.Millisecond
		h.cfg.Workers = 128
		cpu0, start := cpuTime(), time.Now()
		sum := h.crawlFor(b, limit)
		el := time.Since(start).Seconds()
		pages := float64(sum.Fetched)
		bound := float64(hosts) / h.cfg.Delay.Seconds()
		b.ReportMetric(pages/el, "pages/s")
		b.ReportMetric(bound, "bound_pages/s")
		b.ReportMetric(100*pages/el/bound, "%_of_bound")
		b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/pages, "cpu_µs/page")
		// While a host has work: its requests over the requests its delay allows
		// between its first and last request.
		var done, allowed float64
		for _, es := range h.srv.Log().ByHost() {
			if len(es) < 2 {
				continue
			}
			done += float64(len(es) - 1)
			allowed += es[len(es)-1].Start.Sub(es[0].Start).Seconds() / h.cfg.Delay.Seconds()
		}
		if allowed > 0 {
			b.ReportMetric(100*done/allowed, "%_of_bound_while_active")
		}
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak_RSS_MB")
	}
}

// benchLatency crawls a fault-free world whose servers answer after latency,
// with the given per-host delay and cap on workers (0: the shipped default,
// DefaultWorkers), for dur; it prints pages/s against the politeness bound
// (hosts with work ÷ delay, averaged over the run), CPU per page, the peak RSS
// and what the run report names as the limit.
func benchLatency(b *testing.B, hosts int, delay, latency time.Duration, workers int, dur time.Duration) {
	for b.Loop() {
		h := newHarnessOpts(b, hosts, 0, false, simweb.Options{Latency: latency})
		h.cfg.Delay, h.cfg.Workers, h.cfg.Timeout = delay, workers, 10*time.Second
		sum, el := crawlMeasured(b, h, dur)
		b.Logf("%d hosts, delay %s, latency %s: %d requests in %.1fs, at most %d in flight; the run report says: limited by %s",
			hosts, delay, latency, sum.Fetched, el, sum.Workers, sum.Limit)
	}
}

// crawlMeasured crawls h's world for at most dur and reports pages/s against
// the run's politeness bound, CPU per page and the peak RSS; it returns the
// summary and the seconds the crawl took.
func crawlMeasured(b *testing.B, h *harness, dur time.Duration) (Summary, float64) {
	cpu0, start := cpuTime(), time.Now()
	sum := h.crawlFor(b, dur)
	el := time.Since(start).Seconds()
	pages := float64(sum.Fetched)
	b.ReportMetric(pages/el, "pages/s")
	b.ReportMetric(sum.Bound, "bound_pages/s")
	if sum.Bound > 0 {
		b.ReportMetric(100*pages/el/sum.Bound, "%_of_bound")
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/pages, "cpu_µs/page")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak_RSS_MB")
	return sum, el
}

// The worlds: 300 hosts 2s apart (a bound of 150 pages/s), answering
// after 300ms and after 1s, with the shipped cap and with the old fixed 16.
func BenchmarkCrawlLatency300ms(b *testing.B) {
	benchLatency(b, 300, 2*time.Second, 300*time.Millisecond, 0, 30*time.Second)
}
func BenchmarkCrawlLatency300msFixed16(b *testing.B) {
	benchLatency(b, 300, 2*time.Second, 300*time.Millisecond, 16, 30*time.Second)
}
func BenchmarkCrawlLatency1s(b *testing.B) {
	benchLatency(b, 300, 2*time.Second, time.Second, 0, 30*time.Second)
}

// BenchmarkCrawlBulk: the architecture issue's yardstick world, 100 hosts of
// 40 report pages each (simweb's bulk world), 0.5 s apart: a bound of 200
// pages/s. CPU per page includes the simulated web's, which serves the pages
// in this process (bench/peer.sh BULK=40 measures the crawler alone).
func BenchmarkCrawlBulk(b *testing.B) {
	for b.Loop() {
		h := newHarnessOpts(b, 100, 0, false, simweb.Options{Bulk: 40})
		h.seeds = h.seeds[:0]
		for _, host := range h.w.Hosts {
			h.seeds = append(h.seeds, host.HomeURL())
		}
		h.cfg.Delay, h.cfg.Workers = 500*time.Millisecond, 0
		sum, el := crawlMeasured(b, h, 15*time.Second)
		b.Logf("%d requests in %.1fs, %d documents, at most %d in flight; mean queue wait %s, first byte %s, transfer %s; the run report says: limited by %s",
			sum.Fetched, el, sum.Documents, sum.Workers, sum.QueueWait, sum.FirstByte, sum.Transfer, sum.Limit)
	}
}

func BenchmarkCrawl10Hosts(b *testing.B)   { benchCrawl(b, 10, 20*time.Second) }
func BenchmarkCrawl200Hosts(b *testing.B)  { benchCrawl(b, 200, 30*time.Second) }
func BenchmarkCrawl2000Hosts(b *testing.B) { benchCrawl(b, 2000, 30*time.Second) }

// BenchmarkFrontierMillion queues 1,000,000 URLs over 2,000 hosts in a frontier,
// then takes and acknowledges 10,000 of them, printing the peak RSS.
func BenchmarkFrontierMillion(b *testing.B) {
	for b.Loop() {
		runtime.GC()
		st, err := store.Open(filepath.Join(b.TempDir(), "f.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		fr, err := st.Frontier()
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		const n, batch = 1_000_000, 1_000
		for i := 0; i < n; i += batch {
			reqs := make([]*store.QueuedRequest, 0, batch)
			for j := i; j < i+batch; j++ {
				host := fmt.Sprintf("www.h%04d.gov.cn", j%2000)
				reqs = append(reqs, newRequest(fmt.Sprintf("http://%s/xxgk/zfxxgknb/t%09d.html", host, j), "GET", "", KindReport, 3, ""))
			}
			if _, err := fr.Enqueue(reqs...); err != nil {
				b.Fatal(err)
			}
		}
		queued := time.Since(start)
		ctx := context.Background()
		for i := 0; i < 10_000; i++ {
			req, err := fr.Next(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := fr.Commit(store.Commit{Done: req}); err != nil {
				b.Fatal(err)
			}
			fr.Release(req.Host, time.Time{})
		}
		if fr.Pending() != n-10_000 {
			b.Fatalf("pending %d", fr.Pending())
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap_sys_MB")
		if fi, err := os.Stat(st.Path()); err == nil {
			b.ReportMetric(float64(fi.Size())/(1<<20), "file_MB")
		}
		b.ReportMetric(queued.Seconds(), "s_to_queue_1M")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak_RSS_MB")
		st.Close()
	}
}
