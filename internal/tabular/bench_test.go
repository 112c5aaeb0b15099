package tabular

import (
	"fmt"
	"io"
	"strconv"
	"testing"
)

// benchColumns is a typical export: 12 columns of mixed types.
var benchColumns = []Column{
	{Name: "id", Type: Integer},
	{Name: "nis_code", Type: String},
	{Name: "municipality", Type: String},
	{Name: "region", Type: String},
	{Name: "reference_date", Type: Date},
	{Name: "population", Type: Integer},
	{Name: "area_km2", Type: Number},
	{Name: "density", Type: Number},
	{Name: "budget_eur", Type: Number},
	{Name: "is_capital", Type: Boolean},
	{Name: "updated_on", Type: Date},
	{Name: "note", Type: String},
}

// benchRows returns n distinct rows, with some NULLs and characters that
// need quoting or escaping.
func benchRows(n int) [][][]byte {
	regions := []string{"Vlaanderen", "Wallonie", "Bruxelles-Capitale / Brussels Hoofdstedelijk"}
	notes := []string{"", `fusion "2019"`, "Liège, Namur; Luxembourg", "ligne 1\nligne 2"}
	rows := make([][][]byte, n)
	for i := range rows {
		r := row(
			strconv.Itoa(i+1),
			fmt.Sprintf("%05d", 10000+i*7%90000),
			fmt.Sprintf("Commune é%dë", i),
			regions[i%len(regions)],
			fmt.Sprintf("20%02d-%02d-%02d", i%25, i%12+1, i%28+1),
			strconv.Itoa(1000+i*37),
			strconv.FormatFloat(float64(i%5000)/7, 'f', 2, 64),
			strconv.FormatFloat(-float64(i%300)/3, 'f', -1, 64),
			strconv.Itoa(i*1234567),
			"f",
			"2024-01-31",
			notes[i%len(notes)],
		)
		if i%10 == 0 {
			r[9] = []byte("t")
		}
		if i%7 == 0 {
			r[7], r[11] = nil, nil
		}
		rows[i] = r
	}
	return rows
}

func BenchmarkWriter(b *testing.B) {
	const rowsPerOp = 100_000
	rows := benchRows(1000)
	for _, f := range Formats() {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			ops := 0
			for b.Loop() {
				w, err := NewWriter(io.Discard, f, benchColumns)
				if err != nil {
					b.Fatal(err)
				}
				for i := range rowsPerOp {
					if err := w.Write(rows[i%len(rows)]); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				ops++
			}
			b.ReportMetric(float64(ops*rowsPerOp)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
