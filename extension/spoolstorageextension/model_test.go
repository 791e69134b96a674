package spoolstorageextension

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// TestRandomBatchesMatchAMapModel runs random batches against the log and a plain map side by side,
// reopening the log now and then, compacting it often (a small threshold), and now and then cutting
// the last record at a random byte as a crash would: the log must always equal the map (as it was
// before the cut batch, after a cut).
func TestRandomBatchesMatchAMapModel(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(17, 2026))
	path := filepath.Join(t.TempDir(), "log")
	const minCompact = 64 << 10
	c := openTestLog(t, path, minCompact)
	defer func() { closeLog(t, c) }()
	model := map[string][]byte{}
	var beforeLast map[string][]byte
	var lastStart, lastEnd int64
	var reopens, crashes, compactions int

	check := func(step int) {
		got := contents(t, c)
		require.Equal(t, len(model), len(got), "step %d: number of keys", step)
		for k, v := range model { // lengths, not 20 KB values, in a failure's message
			require.True(t, string(v) == got[k], "step %d key %s: %d bytes read, want %d", step, k, len(got[k]), len(v))
		}
	}
	for step := range 3000 {
		switch r := rng.IntN(100); {
		case r < 4: // clean reopen
			closeLog(t, c)
			c = openTestLog(t, path, minCompact)
			reopens++
			check(step)
			continue
		case r < 7 && lastEnd > lastStart && fileSize(t, path) == lastEnd: // crash mid-write of the last batch
			closeLog(t, c)
			require.NoError(t, os.Truncate(path, lastStart+rng.Int64N(lastEnd-lastStart)))
			c = openTestLog(t, path, minCompact)
			model = beforeLast
			lastEnd = lastStart
			crashes++
			check(step)
			continue
		}
		ops := make([]*storage.Operation, 1+rng.IntN(4))
		want := maps.Clone(model)
		wantGets := map[int][]byte{}
		for i := range ops {
			key := fmt.Sprintf("k%d", rng.IntN(24))
			switch rng.IntN(3) {
			case 0:
				v := bytes.Repeat([]byte{byte(rng.IntN(256))}, rng.IntN(20000))
				ops[i] = storage.SetOperation(key, v)
				want[key] = v
			case 1:
				ops[i] = storage.DeleteOperation(key)
				delete(want, key)
			default:
				ops[i] = storage.GetOperation(key)
				wantGets[i] = want[key]
			}
		}
		start := c.end
		fileBefore, err := os.Stat(path)
		require.NoError(t, err)
		require.NoError(t, c.Batch(ctx, ops...))
		fileAfter, err := os.Stat(path)
		require.NoError(t, err)
		for i, v := range wantGets {
			require.Equal(t, v == nil, ops[i].Value == nil, "step %d: presence of %s", step, ops[i].Key)
			require.True(t, bytes.Equal(v, ops[i].Value), "step %d: value of %s: %d bytes, want %d", step, ops[i].Key, len(ops[i].Value), len(v))
		}
		if len(wantGets) < len(ops) { // the batch wrote a record
			beforeLast, lastStart, lastEnd = model, start, c.end
			if !os.SameFile(fileBefore, fileAfter) { // and compacted: its record is no longer last
				lastEnd = lastStart
				compactions++
			}
		}
		model = want
		if step%97 == 0 {
			check(step)
		}
	}
	check(-1)
	t.Logf("%d reopens, %d crashes, %d compactions during batches", reopens, crashes, compactions)
	require.Positive(t, reopens)
	require.Positive(t, crashes)
	require.Positive(t, compactions)
}
