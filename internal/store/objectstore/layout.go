package objectstore

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// DefaultPrefix is where records live below the store root.
const DefaultPrefix = "audit"

// Layout names the keys of one store. All keys are slash-separated and relative to the backend root.
type Layout struct{ Prefix string }

// StreamName is the chain a writer keeps: one per collector instance and signal.
func StreamName(instanceID, signal string) string {
	return sanitize(instanceID) + "-" + sanitize(signal)
}

func sanitize(s string) string {
	if s == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
			return r
		}
		return '_'
	}, s)
}

// PartitionPrefix is the hour partition that holds objects written at t.
func (l Layout) PartitionPrefix(t time.Time) string {
	t = t.UTC()
	return path.Join(l.Prefix, fmt.Sprintf("year=%04d/month=%02d/day=%02d/hour=%02d", t.Year(), t.Month(), t.Day(), t.Hour())) + "/"
}

// DataPrefix is the prefix of every data object.
func (l Layout) DataPrefix() string { return path.Join(l.Prefix, "year=") }

// ObjectKey names the data object of a batch whose first record has seq firstSeq.
func (l Layout) ObjectKey(t time.Time, stream string, firstSeq uint64, gzip bool) string {
	ext := ".jsonl"
	if gzip {
		ext += ".gz"
	}
	return l.PartitionPrefix(t) + fmt.Sprintf("%s-%020d%s", stream, firstSeq, ext)
}

// ManifestPrefix lists a stream's manifests in seq order.
func (l Layout) ManifestPrefix(stream string) string {
	return path.Join(l.Prefix, "_manifests", stream) + "/"
}

// ManifestsRoot is the prefix below which every stream's manifests live.
func (l Layout) ManifestsRoot() string { return path.Join(l.Prefix, "_manifests") + "/" }

// ManifestKey names the manifest of the object whose first record has seq firstSeq.
func (l Layout) ManifestKey(stream string, firstSeq uint64) string {
	return l.ManifestPrefix(stream) + fmt.Sprintf("%020d.json", firstSeq)
}

// ErasureManifestKey names the manifest that records an erasure inside an object.
func (l Layout) ErasureManifestKey(stream string, firstSeq uint64, erasureID string) string {
	return l.ManifestPrefix(stream) + fmt.Sprintf("%020d.erasure-%s.json", firstSeq, sanitize(erasureID))
}

// RetentionMarkerKey names the retention marker of a stream (ManifestKindRetention).
func (l Layout) RetentionMarkerKey(stream string) string {
	return path.Join(l.Prefix, "_retention", stream+".json")
}

// KeysPrefix holds the public keys manifests are signed with.
func (l Layout) KeysPrefix() string { return path.Join(l.Prefix, "_keys") + "/" }

// PublicKeyKey names the public key with the given fingerprint.
func (l Layout) PublicKeyKey(fingerprint string) string { return l.KeysPrefix() + fingerprint + ".pub" }

// PartitionTime parses the hour partition of a data object key; ok is false for other keys.
func PartitionTime(key string) (time.Time, bool) {
	var y, mo, d, h int
	i := strings.Index(key, "year=")
	if i < 0 {
		return time.Time{}, false
	}
	parts := strings.Split(key[i:], "/")
	if len(parts) < 5 {
		return time.Time{}, false
	}
	for idx, dst := range []*int{&y, &mo, &d, &h} {
		kv := strings.SplitN(parts[idx], "=", 2)
		if len(kv) != 2 {
			return time.Time{}, false
		}
		n, err := strconv.Atoi(kv[1])
		if err != nil {
			return time.Time{}, false
		}
		*dst = n
	}
	return time.Date(y, time.Month(mo), d, h, 0, 0, 0, time.UTC), true
}

// IsDataObject reports whether key names a data object (not a manifest, key or temp file).
func IsDataObject(key string) bool {
	base := path.Base(key)
	inPartition := strings.Contains(key, "/year=") || strings.HasPrefix(key, "year=")
	return inPartition && (strings.HasSuffix(base, ".jsonl") || strings.HasSuffix(base, ".jsonl.gz"))
}
