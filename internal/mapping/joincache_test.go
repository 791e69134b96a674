package mapping

import (
	"strconv"
	"testing"
)

// TestJoinCacheEvictsOldestFromItsMap fills the cache and checks that each add beyond its size
// evicts the oldest key, from the map that holds it, and nothing else.
func TestJoinCacheEvictsOldestFromItsMap(t *testing.T) {
	c := newJoinCache()
	c.add(joinKeyOf("call"), inCalls, func() { c.calls[joinKeyOf("call")] = modelCall{} })
	c.add(joinKeyOf("tool"), inExecuted, func() { c.executed[joinKeyOf("tool")] = true })
	for i := range joinCacheSize - 2 {
		k := strconv.Itoa(i)
		c.add(joinKeyOf(k), inContents, func() { c.contents[joinKeyOf(k)] = []window{{}} })
	}
	if _, ok := c.calls[joinKeyOf("call")]; !ok || !c.executed[joinKeyOf("tool")] || len(c.contents) != joinCacheSize-2 {
		t.Fatal("a key left the cache before it was full")
	}
	c.add(joinKeyOf("span"), inSpans, func() { c.spans[joinKeyOf("span")] = failedSpan{} })
	if _, ok := c.calls[joinKeyOf("call")]; ok {
		t.Fatal("the oldest key (a model call) stayed past the cache's size")
	}
	if !c.executed[joinKeyOf("tool")] || len(c.contents) != joinCacheSize-2 {
		t.Fatal("an add evicted more than the oldest key")
	}
	c.add(joinKeyOf("later"), inContents, func() { c.contents[joinKeyOf("later")] = []window{{}} })
	if c.executed[joinKeyOf("tool")] {
		t.Fatal("the second oldest key (a tool execution) stayed")
	}
	c.add(joinKeyOf("again"), inContents, func() { c.contents[joinKeyOf("again")] = []window{{}} })
	if _, ok := c.contents[joinKeyOf("0")]; ok || len(c.contents) != joinCacheSize-1 {
		t.Fatalf("the oldest content key stayed, or others left: %d contents", len(c.contents))
	}
	if _, ok := c.spans[joinKeyOf("span")]; !ok {
		t.Fatal("the newest span left")
	}
}
