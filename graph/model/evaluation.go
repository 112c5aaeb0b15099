package model

import "github.com/cohesio/cohesio/internal/evaluation"

// AnnualReport is the annual evaluation report on Year.
type AnnualReport struct {
	Year     int
	Sections []*EvaluationSection
}

// EvaluationSection is one section of a year's report, with its commentary when the caller
// may read it.
type EvaluationSection struct {
	Key        string
	Call       string
	Section    evaluation.Section
	Commentary *evaluation.Narrative
}
