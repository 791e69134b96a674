package spoolstorageextension

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// openBenchClient starts a storage extension from factory on dir (configured by configure) and
// returns the client an exporter's persistent queue would get.
func openBenchClient(b *testing.B, factory extension.Factory, configure func(component.Config)) storage.Client {
	b.Helper()
	ctx := context.Background()
	cfg := factory.CreateDefaultConfig()
	configure(cfg)
	ext, err := factory.Create(ctx, extensiontest.NewNopSettings(factory.Type()), cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := ext.Start(ctx, nil); err != nil {
		b.Fatal(err)
	}
	client, err := ext.(storage.Extension).GetClient(ctx, component.KindExporter, component.MustNewID("agentaudit"), "traces")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := client.Close(ctx); err != nil {
			b.Error(err)
		}
		if err := ext.Shutdown(ctx); err != nil {
			b.Error(err)
		}
	})
	return client
}

// BenchmarkQueueCycle replays exporterhelper's persistent queue on each storage: per op one
// request of 300 KB goes through put (Set metadata + Set item), read (Set metadata + Get item) and
// done (Set metadata + Delete item), with `depth` requests waiting in the queue meanwhile.
func BenchmarkQueueCycle(b *testing.B) {
	storages := []struct {
		name string
		open func(b *testing.B, dir string) storage.Client
	}{
		{"spool_storage", func(b *testing.B, dir string) storage.Client {
			return openBenchClient(b, NewFactory(), func(c component.Config) { c.(*Config).Directory = dir })
		}},
		{"file_storage", func(b *testing.B, dir string) storage.Client {
			return openBenchClient(b, filestorage.NewFactory(), func(c component.Config) {
				c.(*filestorage.Config).Directory = dir
				c.(*filestorage.Config).Compaction.Directory = dir
			})
		}},
		{"spool_storage+fsync", func(b *testing.B, dir string) storage.Client {
			return openBenchClient(b, NewFactory(), func(c component.Config) {
				c.(*Config).Directory, c.(*Config).FSync = dir, true
			})
		}},
		{"file_storage+fsync", func(b *testing.B, dir string) storage.Client {
			return openBenchClient(b, filestorage.NewFactory(), func(c component.Config) {
				c.(*filestorage.Config).Directory = dir
				c.(*filestorage.Config).Compaction.Directory = dir
				c.(*filestorage.Config).FSync = true
			})
		}},
	}
	item := make([]byte, 300<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range item { // protobuf-like bytes: not all zero, not random noise
		item[i] = byte(rng.IntN(64)) + ' '
	}
	meta := make([]byte, 64)
	ctx := context.Background()
	for _, depth := range []int{0, 32} {
		for _, s := range storages {
			b.Run(fmt.Sprintf("depth=%d/%s", depth, s.name), func(b *testing.B) {
				client := s.open(b, b.TempDir())
				for i := range depth {
					if err := client.Batch(ctx, storage.SetOperation("qmv0", meta), storage.SetOperation(strconv.Itoa(i), item)); err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(int64(len(item)))
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					put, got := strconv.Itoa(i+depth), storage.GetOperation(strconv.Itoa(i))
					if err := client.Batch(ctx, storage.SetOperation("qmv0", meta), storage.SetOperation(put, item)); err != nil {
						b.Fatal(err)
					}
					if err := client.Batch(ctx, storage.SetOperation("qmv0", meta), got); err != nil {
						b.Fatal(err)
					}
					if len(got.Value) != len(item) {
						b.Fatalf("item %d read back with %d bytes", i, len(got.Value))
					}
					if err := client.Batch(ctx, storage.SetOperation("qmv0", meta), storage.DeleteOperation(got.Key)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
