package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// figure is one measured step: its wall time and the peak resident memory
// of the process that ran it.
type figure struct {
	step   string
	wall   time.Duration
	cpu    time.Duration // user and system; 0: not measured
	rssKB  int64         // 0: not measured
	note   string
	failed error
}

// runner runs nianbao commands on one store and measures them.
type runner struct {
	bin, db, seeds, dir string
	log                 io.Writer // the commands' standard error
}

// run runs one command to its end and measures it (the peak resident
// memory from the kernel's accounting of the child). okExit lists exit
// codes that are the answer, not a failure (history of an absent URL).
func (r *runner) run(ctx context.Context, step string, okExit []int, args ...string) figure {
	cmd := exec.CommandContext(ctx, r.bin, append([]string{"--db", r.db}, args...)...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = r.dir, io.Discard, r.log
	fmt.Fprintf(r.log, "== %s: nianbao %s\n", step, strings.Join(args, " "))
	// Linux keeps a process's peak resident memory across exec, and a child
	// starts as a copy of this process: its peak is at least ours, so ours
	// is made as small as it gets and said beside the figure.
	debug.FreeOSMemory()
	floor := statusKB(os.Getpid(), "VmRSS:")
	start := time.Now()
	err := cmd.Run()
	f := figure{step: step, wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && cmd.ProcessState != nil {
		f.rssKB = ru.Maxrss // kilobytes on Linux
		f.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		for _, c := range okExit {
			if ee.ExitCode() == c {
				err = nil
			}
		}
	}
	f.failed = err
	if floor > 0 {
		f.note = fmt.Sprintf("(floor %.0f MB)", float64(floor)/1024)
	}
	return f
}

// statusKB reads a kilobyte figure (VmRSS:, VmHWM:) of a process's status.
func statusKB(pid int, field string) int64 {
	fh, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// server is a running nianbao serve.
type server struct {
	cmd  *exec.Cmd
	base string
}

// startServe starts nianbao serve on a free loopback port and waits until
// it answers.
func (r *runner) startServe(ctx context.Context) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.CommandContext(ctx, r.bin, "--db", r.db, "serve", "--addr", addr, "--seeds", r.seeds)
	cmd.Dir, cmd.Stdout, cmd.Stderr = r.dir, r.log, r.log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, base: "http://" + addr}
	for range 200 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return s, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("serve did not answer at %s", addr)
}

// get times one page.
func (s *server) get(step, path string) figure {
	start := time.Now()
	resp, err := http.Get(s.base + path)
	f := figure{step: step}
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s answered %s", path, resp.Status)
		}
	}
	f.wall, f.failed = time.Since(start), err
	return f
}

// peakKB is the server's peak resident memory so far (read from its
// status: unlike the kernel's accounting at exit, it starts at its exec).
func (s *server) peakKB() int64 { return statusKB(s.cmd.Process.Pid, "VmHWM:") }

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// table prints the figures.
func table(w io.Writer, n int, figs []figure) {
	fmt.Fprintf(w, "\nN = %d\n| step | wall | CPU | peak RSS | note |\n|---|---|---|---|---|\n", n)
	for _, f := range figs {
		rss := "—"
		if f.rssKB > 0 {
			rss = fmt.Sprintf("%.0f MB", float64(f.rssKB)/1024)
		}
		note := f.note
		if f.failed != nil {
			note = strings.TrimSpace(note + " FAILED: " + f.failed.Error())
		}
		cpu := "—"
		if f.cpu > 0 {
			cpu = wallText(f.cpu)
		}
		wall := "—"
		if f.wall > 0 {
			wall = wallText(f.wall)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", f.step, wall, cpu, rss, note)
	}
}

func wallText(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
