package flow

import (
	"bytes"
	"encoding/json"
)

// strictUnmarshal decodes b into v, rejecting unknown fields.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
