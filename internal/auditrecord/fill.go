package auditrecord

// FillFrom gives o the fields of src, the same answer reported again, that o lacks: the mapping
// merges two reports of one answer in a batch with it, and readers two records of one (the
// read-side fold, internal/readside/query).
func (o *Output) FillFrom(src *Output) {
	fillString(&o.Model, src.Model)
	fillString(&o.Provider, src.Provider)
	fillString(&o.FinishReason, src.FinishReason)
	if o.Tokens == nil {
		o.Tokens = src.Tokens
	}
	if o.Cost == nil {
		o.Cost, o.CostSource = src.Cost, src.CostSource
	}
}

func fillString(dst *string, src string) {
	if *dst == "" {
		*dst = src
	}
}
