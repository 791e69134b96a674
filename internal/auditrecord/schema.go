package auditrecord

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaJSON is the JSON Schema (draft 2020-12) every stored record satisfies.
//
//go:embed schema/audit-record.schema.json
var SchemaJSON []byte

var (
	compileOnce sync.Once
	compiled    *jsonschema.Schema
	compileErr  error
)

func schema() (*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
		if err != nil {
			compileErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		const url = "audit-record.schema.json"
		if compileErr = c.AddResource(url, doc); compileErr != nil {
			return
		}
		compiled, compileErr = c.Compile(url)
	})
	return compiled, compileErr
}

// ValidateJSON checks one encoded record against the schema.
func ValidateJSON(line []byte) error {
	s, err := schema()
	if err != nil {
		return fmt.Errorf("audit record schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(doc)
}

// Validate checks a record against the schema.
func Validate(r *Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return ValidateJSON(line)
}
