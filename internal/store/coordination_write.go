package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/cohesion"
)

// The write API of a coordination's activity (members, working groups and their members,
// meetings, events), which its commune's coordinator and the administration use, and of an
// operator's own directory record. Each write goes through mutate: one transaction as the
// principal (row-level security checks the scope again), an idempotency key, the audit trail
// written by the tables' triggers. Edits name the version they were made on.

// WorkingGroupChange is a working group as it is to be.
type WorkingGroupChange struct {
	Kind        cohesion.WorkingGroupKind
	Name        string
	ThemeID     *int64
	Description *string
}

// Member names a member of a working group: exactly one of an operator, one of its sites or
// one of its services.
type Member struct {
	OperatorID *int64 `json:"operator,omitempty"`
	SiteID     *int64 `json:"site,omitempty"`
	ServiceID  *int64 `json:"service,omitempty"`
}

// MeetingChange is a meeting as it is to be. Year may be left out when the date is given.
type MeetingChange struct {
	Year             *int
	HeldOn           *time.Time
	Kind             cohesion.MeetingKind
	ParticipantCount *int
	Note             *string
}

// EventChange is an event as it is to be; Organisations are those represented, replaced as a
// whole.
type EventChange struct {
	Title            string
	Kind             cohesion.EventKind
	HeldOn           time.Time
	ParticipantCount *int
	Description      *string
	ThemeID          *int64
	TerritoryID      *int64
	OrganiserID      *int64
	Organisations    []int64
}

// OperatorRecordChange is what an operator changes of its directory record: nil fields stay
// as they are, an empty string clears a text field, Languages, Sectors and Territories (when
// given) replace their lists.
type OperatorRecordChange struct {
	NameNl        *string  `json:"nameNl,omitempty"`
	Acronym       *string  `json:"acronym,omitempty"`
	Street        *string  `json:"street,omitempty"`
	Postcode      *string  `json:"postcode,omitempty"`
	SeatCommuneID *int64   `json:"seatCommune,omitempty"`
	Website       *string  `json:"website,omitempty"`
	Email         *string  `json:"email,omitempty"`
	Phone         *string  `json:"phone,omitempty"`
	Description   *string  `json:"description,omitempty"`
	Languages     []string `json:"languages,omitempty"`
	// Sectors and Territories (served beyond the seat), when given, replace the lists; an
	// empty list clears one.
	Sectors     []int64 `json:"sectors"`
	Territories []int64 `json:"territories"`
}

// WorkingGroupMember is a member of a working group.
type WorkingGroupMember struct {
	ID             int64  `bun:"id"`
	WorkingGroupID int64  `bun:"working_group_id"`
	OperatorID     *int64 `bun:"operator_id"`
	SiteID         *int64 `bun:"site_id"`
	ServiceID      *int64 `bun:"service_id"`
}

// Service is a service of an operator, which can be a member of a working group in its own name.
type Service struct {
	ID         int64  `bun:"id"`
	OperatorID int64  `bun:"operator_id"`
	Code       string `bun:"code"`
	Name       string `bun:"name"`
	SiteID     *int64 `bun:"site_id"`
}

// apiSource is the source the rows written through the API cite.
const apiSource = "cohesio-api"

func principalOf(ctx context.Context) access.Principal {
	if p, ok := access.PrincipalIn(ctx); ok {
		return p
	}
	return access.Principal{Role: access.Admin} // the platform's own work
}

// mayCoordinate checks that the principal may change the activity of the coordination of
// commune; commune is nil when the coordination does not exist.
func mayCoordinate(ctx context.Context, what string, commune *int64) error {
	if commune == nil {
		return fmt.Errorf("%s: %w", what, cohesion.ErrNotFound)
	}
	return principalOf(ctx).CheckCoordination(*commune)
}

// mayCoordinateIn checks that the principal may change the row id of a coordination, found
// through the scope function fn (see scopeOf); what names the row in a not-found error.
func mayCoordinateIn(ctx context.Context, tx bun.Tx, fn string, id int64, what string) error {
	commune, err := scopeOf(ctx, tx, fn, id)
	if err != nil {
		return err
	}
	return mayCoordinate(ctx, what, commune)
}

// scopeOf returns the commune a coordination-scoped row belongs to, through one of the
// migration's functions (coordination_commune, working_group_commune, event_commune).
func scopeOf(ctx context.Context, tx bun.Tx, fn string, id int64) (*int64, error) {
	var commune *int64
	if err := tx.QueryRowContext(ctx, "SELECT "+fn+"(?)", id).Scan(&commune); err != nil {
		return nil, fmt.Errorf("%s(%d): %w", fn, id, err)
	}
	return commune, nil
}

// refusedByPolicy turns a refusal of row-level security into a forbidden write: it means the
// application's check let through what the database's does not.
func refusedByPolicy(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return fmt.Errorf("%w: %s", access.ErrForbidden, pgErr.Message)
	}
	return err
}

// ensureAPISource returns the id of the source rows written through the API cite.
func ensureAPISource(ctx context.Context, tx bun.Tx) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `WITH ins AS (
			INSERT INTO source (code, kind, title) VALUES (?, 'dataset', 'Recorded through the Cohesio API')
			ON CONFLICT (code) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT id FROM source WHERE code = ? LIMIT 1`, apiSource, apiSource).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("API source: %w", err)
	}
	return id, nil
}

// exists tells whether table has a row with id.
func exists(ctx context.Context, tx bun.Tx, table string, id int64) (bool, error) {
	var ok bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT FROM "+table+" WHERE id = ?)", id).Scan(&ok); err != nil {
		return false, fmt.Errorf("look up %s %d: %w", table, id, err)
	}
	return ok, nil
}

// mustExist refuses field when it names no row of table.
func mustExist(ctx context.Context, tx bun.Tx, field, table, what string, id *int64) error {
	if id == nil {
		return nil
	}
	ok, err := exists(ctx, tx, table, *id)
	if err != nil {
		return err
	}
	if !ok {
		return cohesion.Invalid(field, fmt.Sprintf("no %s with id %d", what, *id))
	}
	return nil
}

// lockVersion locks row id of table and checks it is still at version.
func lockVersion(ctx context.Context, tx bun.Tx, table, what string, id int64, version int) error {
	var cur int
	err := tx.QueryRowContext(ctx, "SELECT version FROM "+table+" WHERE id = ? FOR UPDATE", id).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s %d cannot be changed by you", access.ErrForbidden, what, id)
	}
	if err != nil {
		return fmt.Errorf("lock %s %d: %w", what, id, refusedByPolicy(err))
	}
	if cur != version {
		return &cohesion.ConflictError{What: fmt.Sprintf("%s %d", what, id), Current: cur, Sent: version}
	}
	return nil
}

func optionalText(s *string) *string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}

func (c WorkingGroupChange) check(ctx context.Context, tx bun.Tx) error {
	switch c.Kind {
	case cohesion.SteeringCommittee, cohesion.WorkingGroupBody, cohesion.Platform:
	default:
		return cohesion.Invalid("input.kind", fmt.Sprintf("unknown kind %q", c.Kind))
	}
	if strings.TrimSpace(c.Name) == "" {
		return cohesion.Invalid("input.name", "empty: a working group needs a name")
	}
	return mustExist(ctx, tx, "input.theme", "theme", "theme", c.ThemeID)
}

// CreateWorkingGroup adds a working group (or the steering committee, or a platform) to a
// coordination.
func (s *Store) CreateWorkingGroup(ctx context.Context, key *string, coordinationID int64, c WorkingGroupChange) (Result, error) {
	request := []any{coordinationID, c}
	return s.mutate(ctx, key, "createWorkingGroup", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := mayCoordinateIn(ctx, tx, "coordination_commune", coordinationID, fmt.Sprintf("coordination %d", coordinationID)); err != nil {
			return Result{}, err
		}
		if err := c.check(ctx, tx); err != nil {
			return Result{}, err
		}
		source, err := ensureAPISource(ctx, tx)
		if err != nil {
			return Result{}, err
		}
		out := Result{Version: 1}
		err = tx.QueryRowContext(ctx, `INSERT INTO working_group (coordination_id, kind, name, theme_id, description, source_id)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, coordinationID, c.Kind, strings.TrimSpace(c.Name), c.ThemeID,
			optionalText(c.Description), source).Scan(&out.ID)
		if err != nil {
			return Result{}, fmt.Errorf("create working group: %w", refusedByPolicy(err))
		}
		return out, nil
	})
}

// UpdateWorkingGroup changes a working group made on version.
func (s *Store) UpdateWorkingGroup(ctx context.Context, key *string, id int64, version int, c WorkingGroupChange) (Result, error) {
	request := []any{id, version, c}
	return s.mutate(ctx, key, "updateWorkingGroup", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := mayCoordinateIn(ctx, tx, "working_group_commune", id, fmt.Sprintf("working group %d", id)); err != nil {
			return Result{}, err
		}
		if err := lockVersion(ctx, tx, "working_group", "working group", id, version); err != nil {
			return Result{}, err
		}
		if err := c.check(ctx, tx); err != nil {
			return Result{}, err
		}
		out := Result{ID: id}
		err := tx.QueryRowContext(ctx, `UPDATE working_group SET kind = ?, name = ?, theme_id = ?, description = ?, version = version + 1
			WHERE id = ? RETURNING version`, c.Kind, strings.TrimSpace(c.Name), c.ThemeID, optionalText(c.Description), id).Scan(&out.Version)
		if err != nil {
			return Result{}, fmt.Errorf("update working group %d: %w", id, refusedByPolicy(err))
		}
		return out, nil
	})
}

// check refuses a member that is not exactly one existing operator, site or service.
func (m Member) check(ctx context.Context, tx bun.Tx) error {
	n := 0
	for _, id := range []*int64{m.OperatorID, m.SiteID, m.ServiceID} {
		if id != nil {
			n++
		}
	}
	if n != 1 {
		return cohesion.Invalid("member", "name exactly one of an operator, a site or a service")
	}
	if err := mustExist(ctx, tx, "member.operator", "operator", "operator", m.OperatorID); err != nil {
		return err
	}
	if err := mustExist(ctx, tx, "member.site", "operator_site", "site", m.SiteID); err != nil {
		return err
	}
	return mustExist(ctx, tx, "member.service", "operator_service", "service", m.ServiceID)
}

// memberCondition selects m among the members of a working group.
func (m Member) condition() (string, int64) {
	switch {
	case m.OperatorID != nil:
		return "operator_id", *m.OperatorID
	case m.SiteID != nil:
		return "site_id", *m.SiteID
	}
	return "service_id", *m.ServiceID
}

// AddWorkingGroupMember makes an operator, or a site or service of one, a member of a working
// group. The result's id is the member's.
func (s *Store) AddWorkingGroupMember(ctx context.Context, key *string, groupID int64, m Member) (Result, error) {
	request := []any{groupID, m}
	return s.mutate(ctx, key, "addWorkingGroupMember", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := mayCoordinateIn(ctx, tx, "working_group_commune", groupID, fmt.Sprintf("working group %d", groupID)); err != nil {
			return Result{}, err
		}
		if err := m.check(ctx, tx); err != nil {
			return Result{}, err
		}
		column, ref := m.condition()
		out := Result{Version: 1}
		err := tx.QueryRowContext(ctx, "INSERT INTO working_group_member (working_group_id, "+column+`) VALUES (?, ?)
			ON CONFLICT DO NOTHING RETURNING id`, groupID, ref).Scan(&out.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return Result{}, cohesion.Invalid("member", fmt.Sprintf("already a member of working group %d", groupID))
		}
		if err != nil {
			return Result{}, fmt.Errorf("add member to working group %d: %w", groupID, refusedByPolicy(err))
		}
		return out, nil
	})
}

// RemoveWorkingGroupMember removes a member from a working group. The result's id is the
// removed member's.
func (s *Store) RemoveWorkingGroupMember(ctx context.Context, key *string, groupID int64, m Member) (Result, error) {
	request := []any{groupID, m}
	return s.mutate(ctx, key, "removeWorkingGroupMember", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := mayCoordinateIn(ctx, tx, "working_group_commune", groupID, fmt.Sprintf("working group %d", groupID)); err != nil {
			return Result{}, err
		}
		if err := m.check(ctx, tx); err != nil {
			return Result{}, err
		}
		column, ref := m.condition()
		out := Result{Version: 1}
		err := tx.QueryRowContext(ctx, "DELETE FROM working_group_member WHERE working_group_id = ? AND "+column+" = ? RETURNING id",
			groupID, ref).Scan(&out.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return Result{}, cohesion.Invalid("member", fmt.Sprintf("not a member of working group %d", groupID))
		}
		if err != nil {
			return Result{}, fmt.Errorf("remove member from working group %d: %w", groupID, refusedByPolicy(err))
		}
		return out, nil
	})
}

// WorkingGroupMembers returns the current members with the given ids.
func (s *Store) WorkingGroupMembers(ctx context.Context, ids []int64) (map[int64]*WorkingGroupMember, error) {
	return byIDs(ctx, s, "working_group_member", ids, func(m *WorkingGroupMember) int64 { return m.ID },
		"id", "working_group_id", "operator_id", "site_id", "service_id")
}

// ServicesByID returns the operator services with the given ids.
func (s *Store) ServicesByID(ctx context.Context, ids []int64) (map[int64]*Service, error) {
	return byIDs(ctx, s, "operator_service", ids, func(x *Service) int64 { return x.ID },
		"id", "operator_id", "code", "name", "site_id")
}

// byIDs reads the rows of table with the given ids, as the request's principal, by id.
func byIDs[T any](ctx context.Context, s *Store, table string, ids []int64, id func(*T) int64, columns ...string) (map[int64]*T, error) {
	out := map[int64]*T{}
	err := s.transactAs(ctx, func(ctx context.Context, tx bun.Tx) error {
		var found []*T
		err := tx.NewSelect().Table(table).Column(columns...).Where("id IN (?)", bun.In(ids)).Scan(ctx, &found)
		for _, f := range found {
			out[id(f)] = f
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return out, nil
}

var meetingKinds = []cohesion.MeetingKind{cohesion.MeetingOfTheBody, cohesion.NetworkMeeting, cohesion.SteeringCommitteeMeet,
	cohesion.Visit, cohesion.Training, cohesion.OtherMeeting}

// year checks the meeting and returns its year: the one given, or its date's.
func (c MeetingChange) year() (int, error) {
	if !slices.Contains(meetingKinds, c.Kind) {
		return 0, cohesion.Invalid("input.kind", fmt.Sprintf("unknown kind %q", c.Kind))
	}
	if c.ParticipantCount != nil && *c.ParticipantCount < 0 {
		return 0, cohesion.Invalid("input.participantCount", fmt.Sprintf("%d is negative", *c.ParticipantCount))
	}
	var year int
	switch {
	case c.Year != nil:
		year = *c.Year
	case c.HeldOn != nil:
		year = c.HeldOn.Year()
	default:
		return 0, cohesion.Invalid("input.year", "give the year, or the date, of the meeting")
	}
	if year < 1990 || year > 2100 {
		return 0, cohesion.Invalid("input.year", fmt.Sprintf("%d is not between 1990 and 2100", year))
	}
	if c.HeldOn != nil && c.HeldOn.Year() != year {
		return 0, cohesion.Invalid("input.heldOn", fmt.Sprintf("%s is outside the meeting's year %d", c.HeldOn.Format(time.DateOnly), year))
	}
	return year, nil
}

// RecordMeeting records a meeting of a working group.
func (s *Store) RecordMeeting(ctx context.Context, key *string, groupID int64, c MeetingChange) (Result, error) {
	request := []any{groupID, c}
	return s.mutate(ctx, key, "recordMeeting", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := mayCoordinateIn(ctx, tx, "working_group_commune", groupID, fmt.Sprintf("working group %d", groupID)); err != nil {
			return Result{}, err
		}
		year, err := c.year()
		if err != nil {
			return Result{}, err
		}
		source, err := ensureAPISource(ctx, tx)
		if err != nil {
			return Result{}, err
		}
		out := Result{Version: 1}
		err = tx.QueryRowContext(ctx, `INSERT INTO meeting (working_group_id, year, held_on, kind, participant_count, note, source_id)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, groupID, year, c.HeldOn, c.Kind, c.ParticipantCount,
			optionalText(c.Note), source).Scan(&out.ID)
		if err != nil {
			return Result{}, fmt.Errorf("record meeting: %w", refusedByPolicy(err))
		}
		return out, nil
	})
}

// UpdateMeeting changes a meeting made on version.
func (s *Store) UpdateMeeting(ctx context.Context, key *string, id int64, version int, c MeetingChange) (Result, error) {
	request := []any{id, version, c}
	return s.mutate(ctx, key, "updateMeeting", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		var group int64
		err := tx.QueryRowContext(ctx, "SELECT working_group_id FROM meeting WHERE id = ?", id).Scan(&group)
		if errors.Is(err, sql.ErrNoRows) {
			return Result{}, fmt.Errorf("meeting %d: %w", id, cohesion.ErrNotFound)
		}
		if err != nil {
			return Result{}, fmt.Errorf("meeting %d: %w", id, err)
		}
		if err := mayCoordinateIn(ctx, tx, "working_group_commune", group, fmt.Sprintf("meeting %d", id)); err != nil {
			return Result{}, err
		}
		if err := lockVersion(ctx, tx, "meeting", "meeting", id, version); err != nil {
			return Result{}, err
		}
		year, err := c.year()
		if err != nil {
			return Result{}, err
		}
		out := Result{ID: id}
		err = tx.QueryRowContext(ctx, `UPDATE meeting SET year = ?, held_on = ?, kind = ?, participant_count = ?, note = ?,
			version = version + 1 WHERE id = ? RETURNING version`, year, c.HeldOn, c.Kind, c.ParticipantCount,
			optionalText(c.Note), id).Scan(&out.Version)
		if err != nil {
			return Result{}, fmt.Errorf("update meeting %d: %w", id, refusedByPolicy(err))
		}
		return out, nil
	})
}

var eventKinds = []cohesion.EventKind{cohesion.Forum, cohesion.InformationSession, cohesion.TrainingEvent, cohesion.OpenDay,
	cohesion.NeighbourhoodParty, cohesion.Conference, cohesion.AwarenessCampaign, cohesion.OtherEvent}

func (c EventChange) check(ctx context.Context, tx bun.Tx) error {
	if strings.TrimSpace(c.Title) == "" {
		return cohesion.Invalid("input.title", "empty: an event needs a title")
	}
	if !slices.Contains(eventKinds, c.Kind) {
		return cohesion.Invalid("input.kind", fmt.Sprintf("unknown kind %q", c.Kind))
	}
	if c.HeldOn.IsZero() {
		return cohesion.Invalid("input.heldOn", "the date of the event is required")
	}
	if c.ParticipantCount != nil && *c.ParticipantCount < 0 {
		return cohesion.Invalid("input.participantCount", fmt.Sprintf("%d is negative", *c.ParticipantCount))
	}
	if err := mustExist(ctx, tx, "input.theme", "theme", "theme", c.ThemeID); err != nil {
		return err
	}
	if err := mustExist(ctx, tx, "input.territory", "territory", "territory", c.TerritoryID); err != nil {
		return err
	}
	if err := mustExist(ctx, tx, "input.organiser", "operator", "operator", c.OrganiserID); err != nil {
		return err
	}
	seen := map[int64]bool{}
	for i, o := range c.Organisations {
		field := fmt.Sprintf("input.organisations[%d]", i)
		if seen[o] {
			return cohesion.Invalid(field, fmt.Sprintf("operator %d is listed twice", o))
		}
		seen[o] = true
		if err := mustExist(ctx, tx, field, "operator", "operator", &o); err != nil {
			return err
		}
	}
	return nil
}

// setOrganisations makes the organisations represented at event exactly those of c.
func (c EventChange) setOrganisations(ctx context.Context, tx bun.Tx, event int64) error {
	orgs := c.Organisations
	if orgs == nil {
		orgs = []int64{}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM event_organisation WHERE event_id = ? AND NOT (operator_id = ANY (?))",
		event, pgdialect.Array(orgs)); err != nil {
		return fmt.Errorf("event %d organisations: %w", event, refusedByPolicy(err))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO event_organisation (event_id, operator_id)
		SELECT ?, unnest(?::bigint[]) ON CONFLICT DO NOTHING`, event, pgdialect.Array(orgs)); err != nil {
		return fmt.Errorf("event %d organisations: %w", event, refusedByPolicy(err))
	}
	return nil
}

// RecordEvent records an event of a coordination.
func (s *Store) RecordEvent(ctx context.Context, key *string, coordinationID int64, c EventChange) (Result, error) {
	request := []any{coordinationID, c}
	return s.mutate(ctx, key, "recordEvent", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := mayCoordinateIn(ctx, tx, "coordination_commune", coordinationID, fmt.Sprintf("coordination %d", coordinationID)); err != nil {
			return Result{}, err
		}
		if err := c.check(ctx, tx); err != nil {
			return Result{}, err
		}
		source, err := ensureAPISource(ctx, tx)
		if err != nil {
			return Result{}, err
		}
		out := Result{Version: 1}
		err = tx.QueryRowContext(ctx, `INSERT INTO event (coordination_id, title, kind, held_on, participant_count, description,
			theme_id, territory_id, organiser_id, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			coordinationID, strings.TrimSpace(c.Title), c.Kind, c.HeldOn, c.ParticipantCount, optionalText(c.Description),
			c.ThemeID, c.TerritoryID, c.OrganiserID, source).Scan(&out.ID)
		if err != nil {
			return Result{}, fmt.Errorf("record event: %w", refusedByPolicy(err))
		}
		return out, c.setOrganisations(ctx, tx, out.ID)
	})
}

// UpdateEvent changes an event made on version.
func (s *Store) UpdateEvent(ctx context.Context, key *string, id int64, version int, c EventChange) (Result, error) {
	request := []any{id, version, c}
	return s.mutate(ctx, key, "updateEvent", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		ok, err := exists(ctx, tx, "event", id)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			return Result{}, fmt.Errorf("event %d: %w", id, cohesion.ErrNotFound)
		}
		commune, err := scopeOf(ctx, tx, "event_commune", id)
		if err != nil {
			return Result{}, err
		}
		if commune == nil {
			// An event of no coordination is the administration's.
			if err := principalOf(ctx).CheckCoordination(-1); err != nil {
				return Result{}, err
			}
		} else if err := mayCoordinate(ctx, fmt.Sprintf("event %d", id), commune); err != nil {
			return Result{}, err
		}
		if err := lockVersion(ctx, tx, "event", "event", id, version); err != nil {
			return Result{}, err
		}
		if err := c.check(ctx, tx); err != nil {
			return Result{}, err
		}
		out := Result{ID: id}
		err = tx.QueryRowContext(ctx, `UPDATE event SET title = ?, kind = ?, held_on = ?, participant_count = ?, description = ?,
			theme_id = ?, territory_id = ?, organiser_id = ?, version = version + 1 WHERE id = ? RETURNING version`,
			strings.TrimSpace(c.Title), c.Kind, c.HeldOn, c.ParticipantCount, optionalText(c.Description),
			c.ThemeID, c.TerritoryID, c.OrganiserID, id).Scan(&out.Version)
		if err != nil {
			return Result{}, fmt.Errorf("update event %d: %w", id, refusedByPolicy(err))
		}
		return out, c.setOrganisations(ctx, tx, id)
	})
}

// AddCoordinationMember makes an operator a member of a coordination. The result's id is the
// coordination's.
func (s *Store) AddCoordinationMember(ctx context.Context, key *string, coordinationID, operatorID int64) (Result, error) {
	return s.coordinationMember(ctx, key, "addCoordinationMember", coordinationID, operatorID,
		`INSERT INTO coordination_member (coordination_id, operator_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, "already a member")
}

// RemoveCoordinationMember removes an operator from the members of a coordination.
func (s *Store) RemoveCoordinationMember(ctx context.Context, key *string, coordinationID, operatorID int64) (Result, error) {
	return s.coordinationMember(ctx, key, "removeCoordinationMember", coordinationID, operatorID,
		`DELETE FROM coordination_member WHERE coordination_id = ? AND operator_id = ?`, "not a member")
}

func (s *Store) coordinationMember(ctx context.Context, key *string, op string, coordinationID, operatorID int64, stmt, noChange string) (Result, error) {
	request := []any{coordinationID, operatorID}
	return s.mutate(ctx, key, op, request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := mayCoordinateIn(ctx, tx, "coordination_commune", coordinationID, fmt.Sprintf("coordination %d", coordinationID)); err != nil {
			return Result{}, err
		}
		if err := mustExist(ctx, tx, "operator", "operator", "operator", &operatorID); err != nil {
			return Result{}, err
		}
		res, err := tx.ExecContext(ctx, stmt, coordinationID, operatorID)
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", op, refusedByPolicy(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Result{}, cohesion.Invalid("operator", fmt.Sprintf("operator %d is %s of coordination %d", operatorID, noChange, coordinationID))
		}
		return Result{ID: coordinationID, Version: 1}, nil
	})
}

var (
	postcodePattern = regexp.MustCompile(`^[0-9]{4}$`)
	emailPattern    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phonePattern    = regexp.MustCompile(`^\+?[0-9 ./()-]{6,20}$`)
)

// check refuses what the directory cannot hold, naming the field; it returns the columns to set.
func (c OperatorRecordChange) check(ctx context.Context, tx bun.Tx) (map[string]any, error) {
	set := map[string]any{}
	texts := []struct {
		field, column string
		v             *string
		pattern       *regexp.Regexp
		reason        string
	}{
		{"input.nameNl", "name_nl", c.NameNl, nil, ""},
		{"input.acronym", "acronym", c.Acronym, nil, ""},
		{"input.street", "street", c.Street, nil, ""},
		{"input.postcode", "postcode", c.Postcode, postcodePattern, "a Belgian postcode has 4 digits"},
		{"input.website", "website", c.Website, nil, ""},
		{"input.email", "email", c.Email, emailPattern, "not an e-mail address"},
		{"input.phone", "phone", c.Phone, phonePattern, "6 to 20 digits, spaces, dots, slashes, dashes or brackets, with an optional leading +"},
		{"input.description", "description", c.Description, nil, ""},
	}
	for _, t := range texts {
		if t.v == nil {
			continue
		}
		v := optionalText(t.v)
		if v != nil && t.pattern != nil && !t.pattern.MatchString(*v) {
			return nil, cohesion.Invalid(t.field, fmt.Sprintf("%q: %s", *v, t.reason))
		}
		if v != nil && t.column == "website" {
			if u, err := url.Parse(*v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return nil, cohesion.Invalid(t.field, fmt.Sprintf("%q is not an http(s) address", *v))
			}
		}
		set[t.column] = v
	}
	if c.SeatCommuneID != nil {
		var kind string
		err := tx.QueryRowContext(ctx, "SELECT kind FROM territory WHERE id = ?", *c.SeatCommuneID).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) || kind != "commune" {
			return nil, cohesion.Invalid("input.seatCommune", fmt.Sprintf("territory %d is not a commune", *c.SeatCommuneID))
		}
		if err != nil {
			return nil, fmt.Errorf("seat commune: %w", err)
		}
		set["seat_commune_id"] = *c.SeatCommuneID
	}
	if c.Languages != nil {
		if len(c.Languages) == 0 {
			return nil, cohesion.Invalid("input.languages", "at least one language")
		}
		langs := []string{}
		for i, l := range c.Languages {
			l = strings.ToLower(strings.TrimSpace(l))
			if !slices.Contains([]string{"fr", "nl", "en", "de"}, l) {
				return nil, cohesion.Invalid(fmt.Sprintf("input.languages[%d]", i), fmt.Sprintf("%q is not one of fr, nl, en, de", c.Languages[i]))
			}
			if !slices.Contains(langs, l) {
				langs = append(langs, l)
			}
		}
		set["languages"] = pgdialect.Array(langs)
	}
	if err := checkList(ctx, tx, "input.sectors", "sector", "sector", c.Sectors, nil); err != nil {
		return nil, err
	}
	if err := checkList(ctx, tx, "input.territories", "territory", "commune or quartier", c.Territories,
		func(ctx context.Context, id int64) (bool, error) {
			var ok bool
			err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT FROM territory WHERE id = ? AND kind IN ('commune', 'quartier'))", id).Scan(&ok)
			return ok, err
		}); err != nil {
		return nil, err
	}
	if len(set) == 0 && c.Sectors == nil && c.Territories == nil {
		return nil, cohesion.Invalid("input", "nothing to change")
	}
	return set, nil
}

// UpdateOperatorRecord changes an operator's directory record made on version: the operator
// itself, or the administration.
func (s *Store) UpdateOperatorRecord(ctx context.Context, key *string, id int64, version int, c OperatorRecordChange) (Result, error) {
	request := []any{id, version, c}
	return s.mutate(ctx, key, "updateOperatorRecord", request, func(ctx context.Context, tx bun.Tx) (Result, error) {
		if err := principalOf(ctx).CheckOperatorRecord(id); err != nil {
			return Result{}, err
		}
		ok, err := exists(ctx, tx, "operator", id)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			return Result{}, fmt.Errorf("operator %d: %w", id, cohesion.ErrNotFound)
		}
		if err := lockVersion(ctx, tx, "operator", "operator", id, version); err != nil {
			return Result{}, err
		}
		set, err := c.check(ctx, tx)
		if err != nil {
			return Result{}, err
		}
		q := tx.NewUpdate().Table("operator").Set("version = version + 1").Where("id = ?", id).Returning("version")
		for _, column := range slices.Sorted(maps.Keys(set)) {
			q = q.Set("? = ?", bun.Ident(column), set[column])
		}
		out := Result{ID: id}
		if err := q.Scan(ctx, &out.Version); err != nil {
			return Result{}, fmt.Errorf("update operator %d: %w", id, refusedByPolicy(err))
		}
		return out, c.setLists(ctx, tx, id)
	})
}

// checkList refuses a list naming an id twice or an id that is not one of what (found in
// table, or by found when given).
func checkList(ctx context.Context, tx bun.Tx, field, table, what string, ids []int64, found func(context.Context, int64) (bool, error)) error {
	seen := map[int64]bool{}
	for i, id := range ids {
		f := fmt.Sprintf("%s[%d]", field, i)
		if seen[id] {
			return cohesion.Invalid(f, fmt.Sprintf("%d is listed twice", id))
		}
		seen[id] = true
		ok, err := exists(ctx, tx, table, id)
		if err == nil && ok && found != nil {
			ok, err = found(ctx, id)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if !ok {
			return cohesion.Invalid(f, fmt.Sprintf("no %s with id %d", what, id))
		}
	}
	return nil
}

// setLists replaces the sectors and territories of operator with those given; a list left out
// stays as it is.
func (c OperatorRecordChange) setLists(ctx context.Context, tx bun.Tx, operator int64) error {
	for _, l := range []struct {
		table, column string
		ids           []int64
	}{{"operator_sector", "sector_id", c.Sectors}, {"operator_territory", "territory_id", c.Territories}} {
		if l.ids == nil {
			continue
		}
		ids := pgdialect.Array(l.ids)
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+l.table+" WHERE operator_id = ? AND NOT ("+l.column+" = ANY (?::bigint[]))",
			operator, ids); err != nil {
			return fmt.Errorf("operator %d: %s: %w", operator, l.table, refusedByPolicy(err))
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+l.table+" (operator_id, "+l.column+") SELECT ?, unnest(?::bigint[]) ON CONFLICT DO NOTHING",
			operator, ids); err != nil {
			return fmt.Errorf("operator %d: %s: %w", operator, l.table, refusedByPolicy(err))
		}
	}
	return nil
}
