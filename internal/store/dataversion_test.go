package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/store"
)

func TestDataVersion(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	public := access.WithPrincipal(ctx, access.Anonymous)
	version := func() int64 {
		t.Helper()
		v, err := st.DataVersion(public) // as the API's role, which must be able to read it
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	exec := func(sql string, rollback bool) {
		t.Helper()
		errRollback := errors.New("roll back")
		err := st.Load(ctx, func(ctx context.Context, l *store.Loader) error {
			if err := l.ExecScript(ctx, sql); err != nil {
				return err
			}
			if rollback {
				return errRollback
			}
			return nil
		})
		if err != nil && !(rollback && errors.Is(err, errRollback)) {
			t.Fatal(err)
		}
	}

	start := version()
	if _, err := st.Narratives(public, 2022); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != start {
		t.Errorf("a read moved the data version from %d to %d", start, v)
	}
	exec(`UPDATE operator SET acronym = 'ME' WHERE name = 'Maison des Écoles'`, true)
	if v := version(); v != start {
		t.Errorf("a rolled-back write moved the data version from %d to %d", start, v)
	}
	exec(`UPDATE operator SET acronym = 'ME' WHERE name = 'Maison des Écoles'`, false)
	afterUpdate := version()
	if afterUpdate <= start {
		t.Errorf("after a committed update the data version is %d, was %d", afterUpdate, start)
	}
	exec(`INSERT INTO theme (code, label_fr, label_nl) VALUES ('health', 'Santé', 'Gezondheid'); DELETE FROM project_theme WHERE project_id = 3`, false)
	afterDelete := version()
	if afterDelete <= afterUpdate {
		t.Errorf("after an insert and a delete the data version is %d, was %d", afterDelete, afterUpdate)
	}
	// The evaluation's tables come in a later migration, which sets its triggers itself.
	exec(`INSERT INTO evaluation_narrative (year, section, updated_by) VALUES (2022, 'concordance', 'test')`, false)
	if v := version(); v <= afterDelete {
		t.Errorf("after a commentary was written the data version is %d, was %d", v, afterDelete)
	}
}
