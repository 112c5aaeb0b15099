package importer

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// TemplateRows is how many data rows of a template offer the drop-down lists.
const TemplateRows = 10000

// WriteTemplate writes the XLSX template of a kind of import: row 1 holds the French headers
// and row 2 the Dutch ones (the import skips a second header row), each header with a note
// saying what the column holds, required columns in bold, and drop-down lists for the
// controlled vocabularies (the codes; the import also takes their French and Dutch words).
func WriteTemplate(w io.Writer, kind string) error {
	cols, ok := KindColumns(kind)
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownKind, kind)
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := kind
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	plain, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}})
	if err != nil {
		return fmt.Errorf("template: %w", err)
	}
	for i, c := range cols {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return fmt.Errorf("template: %w", err)
		}
		fr, nl := name+"1", name+"2"
		if err := f.SetCellValue(sheet, fr, c.FR); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		if err := f.SetCellValue(sheet, nl, c.NL); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		style := plain
		if c.Required {
			style = bold
		}
		if err := f.SetCellStyle(sheet, fr, nl, style); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		if err := f.SetColWidth(sheet, name, name, 22); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		note := c.Key
		if c.Required {
			note += " (required / obligatoire / verplicht)"
		}
		if c.Hint != "" {
			note += ": " + c.Hint
		}
		if err := f.AddComment(sheet, excelize.Comment{Cell: fr, Author: "Cohesio", Text: note}); err != nil {
			return fmt.Errorf("template: %w", err)
		}
		if len(c.Choices) > 0 {
			dv := excelize.NewDataValidation(true)
			dv.SetSqref(fmt.Sprintf("%s3:%s%d", name, name, TemplateRows+2))
			if err := dv.SetDropList(c.Choices); err != nil {
				return fmt.Errorf("template: %w", err)
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, c.FR+" / "+c.NL, "choose a value from the list / choisissez dans la liste / kies uit de lijst")
			if err := f.AddDataValidation(sheet, dv); err != nil {
				return fmt.Errorf("template: %w", err)
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("template: %w", err)
	}
	return nil
}
