package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Peak RSS (VmHWM) counts the executable's pages the process touched besides the memory its work
// needs. The distribution's binary is 2.5 times the contrib reference's (S3, search-engine,
// PostgreSQL and Kafka clients), so at rest it is resident in about twice the pages before a
// span arrives. memory therefore reports three figures: the RSS at rest before the replay, the
// peak RSS, and the peak anonymous RSS (heap, stacks, runtime: what the work allocated, without
// the file-backed pages the kernel may drop and read again).
type memory struct {
	idleKiB, peakKiB, peakAnonKiB int
}

// procStatus reads the given kB fields of /proc/<pid>/status.
func procStatus(pid int, fields ...string) (map[string]int, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	got := make(map[string]int, len(fields))
	for _, line := range strings.Split(string(status), "\n") {
		for _, f := range fields {
			if rest, ok := strings.CutPrefix(line, f+":"); ok {
				v, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", f, err)
				}
				got[f] = v
			}
		}
	}
	for _, f := range fields {
		if _, ok := got[f]; !ok {
			return nil, errors.New("no " + f + " in /proc status")
		}
	}
	return got, nil
}

// anonSampler records the highest RssAnon of a process, read every 10 ms until stop: the kernel
// keeps a high-water mark of the whole RSS (VmHWM) but not of its anonymous part.
type anonSampler struct {
	pid  int
	done chan struct{}
	wg   sync.WaitGroup
	peak int
	err  error
}

func startAnonSampler(pid int) *anonSampler {
	s := &anonSampler{pid: pid, done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			s.sample()
			select {
			case <-s.done:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *anonSampler) sample() {
	st, err := procStatus(s.pid, "RssAnon")
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		return
	}
	s.peak = max(s.peak, st["RssAnon"])
}

// stop ends the sampling after one last sample and returns the peak anonymous RSS in KiB.
func (s *anonSampler) stop() (int, error) {
	close(s.done)
	s.wg.Wait()
	s.sample()
	return s.peak, s.err
}
