package identityhold

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/agentaudit/otelcol-agentaudit/internal/auditrecord"
	"github.com/agentaudit/otelcol-agentaudit/internal/store/filestore"
)

// The journal is a directory of segment files, <seq>.journal, each a sequence of lines:
//
//	{"record":<canonical record>,"since":<unix nanoseconds>}   a held record
//	{"released":["<record_id>",…]}                              records of this segment now in the store
//
// New records go to the newest segment; release marks go to the segment that holds the record, so
// every segment is self-contained and is deleted once all its records are released.
const (
	segmentSuffix   = ".journal"
	maxSegmentBytes = 16 << 20
	lockName        = "LOCK"
)

type journal struct {
	dir       string
	lock      *os.File
	cur       *segment
	open      map[*segment]bool // segments with an open file (records not all released)
	nextSeq   uint64
	rotateAge time.Duration
	buf       []byte
}

type segment struct {
	path    string
	f       *os.File
	size    int64
	pending int
	opened  time.Time
}

type replayed struct {
	entry *entry
	since time.Time
}

type journalLine struct {
	Record   json.RawMessage `json:"record"`
	Since    int64           `json:"since"`
	Released []string        `json:"released"`
}

func openJournal(dir string, window time.Duration) (*journal, []replayed, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, nil, err
	}
	lock, err := lockDir(filepath.Join(dir, lockName))
	if err != nil {
		return nil, nil, err
	}
	j := &journal{dir: dir, lock: lock, open: map[*segment]bool{}, nextSeq: 1, rotateAge: max(window, time.Second)}
	names, err := filepath.Glob(filepath.Join(dir, "*"+segmentSuffix))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	var out []replayed
	seen := map[string]bool{}
	for _, path := range names {
		seq, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(path), segmentSuffix), 10, 64)
		if err != nil {
			continue // not ours
		}
		j.nextSeq = max(j.nextSeq, seq+1)
		entries, err := replaySegment(path, seen)
		if err != nil {
			_ = j.close()
			return nil, nil, fmt.Errorf("replay %s: %w", path, err)
		}
		if len(entries) == 0 {
			_ = os.Remove(path)
			continue
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0) //nolint:gosec // G304: a segment listed in the journal directory
		if err != nil {
			_ = j.close()
			return nil, nil, err
		}
		seg := &segment{path: path, f: f, pending: len(entries), opened: time.Now()}
		j.open[seg] = true
		for _, e := range entries {
			e.entry.seg = seg
		}
		out = append(out, entries...)
	}
	return j, out, nil
}

// replaySegment reads a segment's held and not released records. A torn last line (a crash during
// an append that was never acknowledged) is cut off so that later release marks start a new line.
func replaySegment(path string, seen map[string]bool) ([]replayed, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: a segment listed in the journal directory
	if err != nil {
		return nil, err
	}
	var order []string
	byID := map[string]replayed{}
	good := 0
	for off := 0; off < len(data); {
		nl := bytes.IndexByte(data[off:], '\n')
		if nl < 0 {
			break // torn tail
		}
		line := data[off : off+nl]
		off += nl + 1
		var l journalLine
		if err := json.Unmarshal(line, &l); err != nil {
			break
		}
		good = off
		if l.Released != nil {
			for _, id := range l.Released {
				delete(byID, id)
			}
			continue
		}
		rec, err := decodeRecord(l.Record)
		if err != nil {
			return nil, err
		}
		if _, dup := byID[rec.RecordID]; !dup {
			order = append(order, rec.RecordID)
		}
		byID[rec.RecordID] = replayed{entry: &entry{rec: rec, size: int64(len(line) + 1)}, since: time.Unix(0, l.Since)}
	}
	if good < len(data) {
		if err := os.Truncate(path, int64(good)); err != nil {
			return nil, err
		}
	}
	var out []replayed
	for _, id := range order {
		if r, ok := byID[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// decodeRecord keeps numbers as written, so a replayed record encodes to the same bytes.
func decodeRecord(raw []byte) (*auditrecord.Record, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var r auditrecord.Record
	if err := dec.Decode(&r); err != nil {
		return nil, err
	}
	return &r, nil
}

// append writes records to the current segment and fsyncs it.
func (j *journal) append(recs []*auditrecord.Record, since time.Time) ([]*entry, error) {
	if err := j.rotate(); err != nil {
		return nil, err
	}
	b := j.buf[:0]
	entries := make([]*entry, 0, len(recs))
	for _, r := range recs {
		start := len(b)
		b = append(b, `{"record":`...)
		var err error
		if b, err = auditrecord.AppendRecord(b, r); err != nil {
			return nil, err
		}
		b = append(b, `,"since":`...)
		b = strconv.AppendInt(b, since.UnixNano(), 10)
		b = append(b, "}\n"...)
		entries = append(entries, &entry{rec: r, size: int64(len(b) - start), seg: j.cur})
	}
	j.buf = b
	seg := j.cur
	if _, err := seg.f.Write(b); err != nil {
		_ = seg.f.Truncate(seg.size)
		return nil, err
	}
	if err := seg.f.Sync(); err != nil {
		return nil, err
	}
	seg.size += int64(len(b))
	seg.pending += len(entries)
	if cap(j.buf) > 1<<20 {
		j.buf = nil // do not keep one huge batch's buffer
	}
	return entries, nil
}

// rotate starts a new segment when there is none or the current one is large or old, so segments
// whose records are all released can be deleted.
func (j *journal) rotate() error {
	if c := j.cur; c != nil && c.size < maxSegmentBytes && time.Since(c.opened) < j.rotateAge {
		return nil
	}
	if c := j.cur; c != nil && c.pending == 0 {
		j.remove(c)
	}
	path := filepath.Join(j.dir, fmt.Sprintf("%020d%s", j.nextSeq, segmentSuffix))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND|os.O_EXCL, 0o600) //nolint:gosec // G304: journal dir + sequence number; 0600 as segments hold user identities
	if err != nil {
		return err
	}
	if err := filestore.SyncDir(j.dir); err != nil {
		_ = f.Close()
		return err
	}
	j.nextSeq++
	j.cur = &segment{path: path, f: f, opened: time.Now()}
	j.open[j.cur] = true
	return nil
}

// remove deletes a segment whose records are all released.
func (j *journal) remove(seg *segment) {
	_ = seg.f.Close()
	_ = os.Remove(seg.path)
	delete(j.open, seg)
}

// released marks entries as in the store. The marks are not fsynced: losing one only means the
// record is written again, with the same record id, after a crash.
func (j *journal) released(entries []*entry) {
	bySeg := map[*segment][]string{}
	for _, e := range entries {
		bySeg[e.seg] = append(bySeg[e.seg], e.rec.RecordID)
	}
	for seg, ids := range bySeg {
		seg.pending -= len(ids)
		if seg.pending <= 0 && seg != j.cur {
			j.remove(seg)
			continue
		}
		line, _ := json.Marshal(journalLine{Released: ids})
		if n, err := seg.f.Write(append(line, '\n')); err == nil {
			seg.size += int64(n)
		}
	}
}

func (j *journal) close() error {
	var errs []error
	if j.cur != nil && j.cur.pending == 0 {
		j.remove(j.cur)
	}
	j.cur = nil
	for seg := range j.open {
		errs = append(errs, seg.f.Close())
		delete(j.open, seg)
	}
	if j.lock != nil {
		errs = append(errs, j.lock.Close())
		j.lock = nil
	}
	return errors.Join(errs...)
}
