package filestore

import (
	"errors"
	"fmt"
)

// Config is the `file:` section of the agentaudit exporter.
type Config struct {
	// Directory is the store root; records go below <directory>/<prefix>/year=…/.
	Directory string `mapstructure:"directory"`
	// Prefix is the key prefix below the directory (default "audit").
	Prefix string `mapstructure:"prefix"`
	// Compression is "gzip" (default) or "none".
	Compression string `mapstructure:"compression"`
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	if c.Directory == "" {
		return errors.New("directory: must be set")
	}
	if c.Compression != "gzip" && c.Compression != "none" {
		return fmt.Errorf("compression: %q is not one of gzip, none", c.Compression)
	}
	return nil
}
