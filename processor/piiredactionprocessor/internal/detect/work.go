package detect

// workCounter, when set by a test, adds up the bytes the word readers examine and the lexicon
// lookups they make, so that a test can check that work grows linearly with the input without
// timing anything. It is nil in production; the check is one predictable branch.
var workCounter *int64

func countWork(n int) {
	if workCounter != nil {
		*workCounter += int64(n)
	}
}
