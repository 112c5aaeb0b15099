package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/uptrace/bun"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
	"github.com/cohesio/cohesio/internal/evaluation"
	"github.com/cohesio/cohesio/internal/store"
)

func TestTheEvaluatorsCommentaryIsVersioned(t *testing.T) {
	st := open(t)
	key := func(s string) *string { return &s }
	n := evaluation.Narrative{Year: 2022, Section: "concordance", BodyFr: "Les besoins numériques restent peu couverts."}

	first, err := st.SaveNarrative(as(analyst), key("n1"), n, 0)
	if err != nil || first.Version != 1 {
		t.Fatalf("first save: %+v, %v", first, err)
	}
	t.Run("a retry with the same key changes nothing", func(t *testing.T) {
		again, err := st.SaveNarrative(as(analyst), key("n1"), n, 0)
		if err != nil || !again.Replayed || again.Version != 1 {
			t.Fatalf("retry: %+v, %v", again, err)
		}
	})
	t.Run("an edit of the version read makes the next one", func(t *testing.T) {
		n.BodyNl = "De digitale noden blijven weinig gedekt."
		second, err := st.SaveNarrative(as(admin), nil, n, 1)
		if err != nil || second.Version != 2 {
			t.Fatalf("second save: %+v, %v", second, err)
		}
	})
	t.Run("an edit of a stale version is a conflict naming the current one", func(t *testing.T) {
		for _, v := range []int{0, 1} {
			_, err := st.SaveNarrative(as(analyst), nil, n, v)
			var conflict *cohesion.ConflictError
			if !errors.As(err, &conflict) || conflict.Current != 2 {
				t.Errorf("version %d: want a conflict at version 2, got %v", v, err)
			}
		}
	})
	t.Run("others may neither write nor read drafts", func(t *testing.T) {
		for _, p := range []access.Principal{operator1, schaerbeek, {Role: access.Researcher, Subject: "test:r"}, access.Anonymous} {
			if _, err := st.SaveNarrative(as(p), nil, n, 2); !errors.Is(err, access.ErrForbidden) {
				t.Errorf("%s: want forbidden, got %v", p.Role, err)
			}
			got, err := st.Narratives(as(p), 2022)
			if err != nil || len(got) != 0 {
				t.Errorf("%s reads %d drafts (%v)", p.Role, len(got), err)
			}
		}
	})
	t.Run("validation names the field", func(t *testing.T) {
		for field, bad := range map[string]evaluation.Narrative{
			"section": {Year: 2022, Section: "summary"},
			"year":    {Year: 1999, Section: "coherence"},
		} {
			var invalid *cohesion.InvalidError
			if _, err := st.SaveNarrative(as(analyst), nil, bad, 0); !errors.As(err, &invalid) || invalid.Field != field {
				t.Errorf("%s: want invalid %s, got %v", field, field, err)
			}
		}
	})
	got, err := st.Narratives(as(analyst), 2022)
	if err != nil {
		t.Fatal(err)
	}
	c := got["concordance"]
	if c == nil || c.Version != 2 || c.BodyNl == "" || c.UpdatedBy != "test:admin" {
		t.Fatalf("stored commentary: %+v", c)
	}
	table := "evaluation_narrative"
	trail, err := st.AuditEntries(as(admin), store.AuditFilter{Table: &table, Limit: 10})
	if err != nil || len(trail) != 2 {
		t.Fatalf("audit trail: %d entries, %v; want the insert and the update", len(trail), err)
	}
}

func TestAPublishedReportIsFrozenUnderItsHash(t *testing.T) {
	st := open(t)
	key := "publish-2022"
	renditions := []store.Rendition{{Lang: cohesion.LangFR, HTML: []byte("<p>rapport</p>")}, {Lang: cohesion.LangNL, HTML: []byte("<p>verslag</p>")}}
	res, err := st.PublishReport(as(analyst), &key, 2022, renditions)
	if err != nil || res.ID == 0 {
		t.Fatalf("publish: %+v, %v", res, err)
	}
	if again, err := st.PublishReport(as(analyst), &key, 2022, renditions); err != nil || !again.Replayed || again.ID != res.ID {
		t.Fatalf("a retry publishes again: %+v, %v", again, err)
	}
	if _, err := st.PublishReport(as(operator1), nil, 2022, renditions); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("an operator publishes: %v", err)
	}

	list, err := st.PublishedReports(as(access.Anonymous), 2022)
	if err != nil || len(list) != 2 {
		t.Fatalf("anyone lists the publication: %d, %v", len(list), err)
	}
	sum := sha256.Sum256([]byte("<p>verslag</p>"))
	p, html, err := st.PublishedReportByID(as(access.Anonymous), hex.EncodeToString(sum[:]))
	if err != nil || p.Lang != cohesion.LangNL || p.Publication != res.ID || string(html) != "<p>verslag</p>" {
		t.Fatalf("read back: %+v %q %v", p, html, err)
	}
	if _, _, err := st.PublishedReportByID(as(access.Anonymous), "00"); !errors.Is(err, cohesion.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	if err := st.Transact(as(admin), func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE published_report_document SET html = 'x'")
		return err
	}); err == nil {
		t.Fatal("a published document was changed")
	}
}
