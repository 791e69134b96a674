package mapping

import (
	"strconv"
	"testing"
)

// TestJoinCacheEvictsOldestFromItsMap fills the cache and checks that each add beyond its size
// evicts the oldest key, from the map that holds it, and nothing else.
func TestJoinCacheEvictsOldestFromItsMap(t *testing.T) {
	c := newJoinCache()
	c.add("call", inCalls, func() { c.calls["call"] = modelCall{} })
	c.add("tool", inExecuted, func() { c.executed["tool"] = true })
	for i := range joinCacheSize - 2 {
		k := strconv.Itoa(i)
		c.add(k, inContents, func() { c.contents[k] = []window{{}} })
	}
	if _, ok := c.calls["call"]; !ok || !c.executed["tool"] || len(c.contents) != joinCacheSize-2 {
		t.Fatal("a key left the cache before it was full")
	}
	c.add("span", inSpans, func() { c.spans["span"] = failedSpan{} })
	if _, ok := c.calls["call"]; ok {
		t.Fatal("the oldest key (a model call) stayed past the cache's size")
	}
	if !c.executed["tool"] || len(c.contents) != joinCacheSize-2 {
		t.Fatal("an add evicted more than the oldest key")
	}
	c.add("later", inContents, func() { c.contents["later"] = []window{{}} })
	if c.executed["tool"] {
		t.Fatal("the second oldest key (a tool execution) stayed")
	}
	c.add("again", inContents, func() { c.contents["again"] = []window{{}} })
	if _, ok := c.contents["0"]; ok || len(c.contents) != joinCacheSize-1 {
		t.Fatalf("the oldest content key stayed, or others left: %d contents", len(c.contents))
	}
	if _, ok := c.spans["span"]; !ok {
		t.Fatal("the newest span left")
	}
}
