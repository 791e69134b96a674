package query

import "regexp"

// RedactionMarker matches what the redaction processors leave in text: typed placeholders such as
// [REDACTED:EMAIL] and keyed pseudonyms such as [EMAIL:hmac:1a2b3c4d].
var RedactionMarker = regexp.MustCompile(`\[(?:REDACTED:[A-Z0-9_]+|[A-Z0-9_]+:hmac:[0-9a-f]+)\]`)

// RedactionMarkers lists the redaction markers in s, in order.
func RedactionMarkers(s string) []string { return RedactionMarker.FindAllString(s, -1) }
