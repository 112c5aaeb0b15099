package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// progress shows a load's progress: one redrawn line on a terminal, a line every few seconds
// otherwise (so that logs stay readable).
type progress struct {
	mu       sync.Mutex
	out      *os.File
	terminal bool
	last     time.Time
	drawn    bool
}

func newProgress(out *os.File) *progress {
	fi, err := out.Stat()
	return &progress{out: out, terminal: err == nil && fi.Mode()&os.ModeCharDevice != 0}
}

func (p *progress) update(table string, done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	every := 3 * time.Second
	if p.terminal {
		every = 100 * time.Millisecond
	}
	if time.Since(p.last) < every && done < total {
		return
	}
	p.last = time.Now()
	pct := 100.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	if p.terminal {
		fmt.Fprintf(p.out, "\r\033[K%-24s %10d / %-10d %5.1f%%", table, done, total, pct)
		p.drawn = true
		return
	}
	fmt.Fprintf(p.out, "%s %d/%d (%.1f%%)\n", table, done, total, pct)
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.out)
	}
}
