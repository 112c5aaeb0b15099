// Package cohesion holds the domain types of the Brussels social-cohesion sector and their
// rules. The types carry no database or GraphQL tags: the store maps columns to fields by name
// (a column is its field's name in snake_case) and gqlgen binds to them as they are.
package cohesion

import (
	"time"

	"github.com/shopspring/decimal"
)

// Lang is a label language. The sector works in French and Dutch.
type Lang string

const (
	LangFR Lang = "fr"
	LangNL Lang = "nl"
)

// pick returns the label in lang, falling back to French when the Dutch one is missing.
func pick(lang Lang, fr, nl string) string {
	if lang == LangNL && nl != "" {
		return nl
	}
	return fr
}

// Source says where a value comes from: a document, a dataset, or "illustrative" for values
// invented for the demo.
type Source struct {
	ID          int64
	Code        string
	Kind        SourceKind
	Title       string
	Publisher   *string
	URL         *string
	PublishedOn *time.Time
	Note        *string
}

type SourceKind string

const (
	SourceDocument     SourceKind = "document"
	SourceDataset      SourceKind = "dataset"
	SourceWebsite      SourceKind = "website"
	SourceIllustrative SourceKind = "illustrative"
	SourceSynthetic    SourceKind = "synthetic"
)

// Term is an entry of a controlled vocabulary (theme, target public, sector, legal form).
type Term struct {
	ID      int64
	Code    string
	LabelFr string
	LabelNl string
}

// Label returns the term's label in lang.
func (t *Term) Label(lang Lang) string { return pick(lang, t.LabelFr, t.LabelNl) }

type (
	Theme        struct{ Term }
	TargetPublic struct{ Term }
	Sector       struct{ Term }
	LegalForm    struct {
		Term
		IsPublic bool
	}
)

// Territory is a node of the territorial hierarchy (region > commune > quartier) or a
// grouping across it (PSSI bassin, CLSS territory).
type Territory struct {
	ID             int64
	Code           string
	Kind           TerritoryKind
	NameFr         string
	NameNl         string
	ParentID       *int64
	NisCode        *string
	Postcodes      []string
	Population     *int32
	PopulationDate *time.Time
	SourceID       int64
}

// Name returns the territory's name in lang.
func (t *Territory) Name(lang Lang) string { return pick(lang, t.NameFr, t.NameNl) }

type TerritoryKind string

const (
	TerritoryRegion            TerritoryKind = "region"
	TerritoryBassin            TerritoryKind = "bassin"
	TerritoryCommune           TerritoryKind = "commune"
	TerritoryQuartier          TerritoryKind = "quartier"
	TerritoryCLSS              TerritoryKind = "clss"
	TerritoryStatisticalSector TerritoryKind = "statistical_sector"
)

// Authority is a public body that funds or regulates (pouvoir subsidiant).
type Authority struct {
	ID       int64
	Code     string
	NameFr   string
	NameNl   string
	Acronym  *string
	Level    AuthorityLevel
	ParentID *int64
	SourceID int64
}

// Name returns the authority's name in lang.
func (a *Authority) Name(lang Lang) string { return pick(lang, a.NameFr, a.NameNl) }

type AuthorityLevel string

const (
	LevelEU                  AuthorityLevel = "eu"
	LevelFederal             AuthorityLevel = "federal"
	LevelCommunity           AuthorityLevel = "community"
	LevelRegion              AuthorityLevel = "region"
	LevelCommunityCommission AuthorityLevel = "community_commission"
	LevelAgency              AuthorityLevel = "agency"
	LevelCommune             AuthorityLevel = "commune"
)

// Policy is a public policy of an authority (a decree, a plan, a programme of programmes).
type Policy struct {
	ID             int64
	Code           string
	AuthorityID    int64
	NameFr         string
	NameNl         string
	Description    *string
	LegalReference *string
	StartDate      *time.Time
	EndDate        *time.Time
	SourceID       int64
}

// Name returns the policy's name in lang.
func (p *Policy) Name(lang Lang) string { return pick(lang, p.NameFr, p.NameNl) }

// Programme is a funding scheme under a policy.
type Programme struct {
	ID              int64
	Code            string
	PolicyID        int64
	FunderID        int64
	NameFr          string
	NameNl          string
	Description     *string
	StartDate       time.Time
	EndDate         *time.Time
	Budget          *decimal.Decimal
	YearStartMonth  int32
	EligibilityNote *string
	SourceID        int64
}

// Name returns the programme's name in lang.
func (p *Programme) Name(lang Lang) string { return pick(lang, p.NameFr, p.NameNl) }

// ProgrammeAxis is a priority or axis of a programme.
type ProgrammeAxis struct {
	ID          int64
	ProgrammeID int64
	Code        string
	NameFr      string
	NameNl      string
	Description *string
}

// Name returns the axis's name in lang.
func (a *ProgrammeAxis) Name(lang Lang) string { return pick(lang, a.NameFr, a.NameNl) }

// Operator is an organisation that carries out activities: an association, a CPAS, a
// communal service...
type Operator struct {
	ID               int64
	EnterpriseNumber *string
	Name             string
	NameNl           *string
	Acronym          *string
	LegalFormID      int64
	Kind             OperatorKind
	Languages        []string
	Street           *string
	Postcode         *string
	SeatCommuneID    *int64
	Website          *string
	Email            *string
	Phone            *string
	Description      *string
	Fictitious       bool
	SourceID         int64
	Version          int32
}

type OperatorKind string

const (
	OperatorPublic      OperatorKind = "public"
	OperatorAssociative OperatorKind = "associative"
	OperatorPrivate     OperatorKind = "private"
)

// Approval is an operator approved (agréé) for a programme, possibly for one axis.
type Approval struct {
	ID           int64
	OperatorID   int64
	ProgrammeID  int64
	AxisID       *int64
	StartDate    time.Time
	EndDate      *time.Time
	Status       ApprovalStatus
	DecisionDate *time.Time
	SourceID     int64
}

type ApprovalStatus string

const (
	ApprovalRequested ApprovalStatus = "requested"
	ApprovalGranted   ApprovalStatus = "granted"
	ApprovalRefused   ApprovalStatus = "refused"
	ApprovalSuspended ApprovalStatus = "suspended"
	ApprovalEnded     ApprovalStatus = "ended"
)

// Project is an activity of an operator under a programme, in a territory, over a period.
type Project struct {
	ID          int64
	Code        *string
	OperatorID  int64
	ProgrammeID int64
	AxisID      *int64
	TerritoryID int64
	Title       string
	Description *string
	StartDate   time.Time
	EndDate     *time.Time
	Budget      *decimal.Decimal
	SourceID    int64
}

// Indicator is a measure defined for a programme (or shared by several).
type Indicator struct {
	ID              int64
	Code            string
	ProgrammeID     *int64
	LabelFr         string
	LabelNl         string
	Description     *string
	Unit            Unit
	Aggregation     Aggregation
	ParentID        *int64
	NumeratorID     *int64
	DenominatorID   *int64
	Disaggregations []string
	SourceID        int64
}

// Label returns the indicator's label in lang.
func (i *Indicator) Label(lang Lang) string { return pick(lang, i.LabelFr, i.LabelNl) }

type Unit string

const (
	UnitPersons  Unit = "persons"
	UnitActions  Unit = "actions"
	UnitFiles    Unit = "files"
	UnitSessions Unit = "sessions"
	UnitHours    Unit = "hours"
	UnitMinutes  Unit = "minutes"
	UnitEUR      Unit = "eur"
	UnitPercent  Unit = "percent"
	UnitPerMille Unit = "per_mille"
	UnitFTE      Unit = "fte"
	UnitCount    Unit = "count"
)

// Aggregation says how values of an indicator combine across subjects and periods.
type Aggregation string

const (
	AggregateSum     Aggregation = "sum"
	AggregateAverage Aggregation = "average"
	AggregateRatio   Aggregation = "ratio"
	AggregateMax     Aggregation = "max"
	AggregateMin     Aggregation = "min"
	AggregateLast    Aggregation = "last"
)

// Disaggregation is one value of a breakdown dimension (gender: women; age band: 18-25).
type Disaggregation struct {
	ID        int64
	Dimension string
	Code      string
	LabelFr   string
	LabelNl   string
}

// Label returns the value's label in lang.
func (d *Disaggregation) Label(lang Lang) string { return pick(lang, d.LabelFr, d.LabelNl) }

// Observation is a value of an indicator for one subject (project, operator, coordination
// or territory) and one period.
type Observation struct {
	ID               int64
	IndicatorID      int64
	ProjectID        *int64
	OperatorID       *int64
	CoordinationID   *int64
	TerritoryID      *int64
	PeriodStart      time.Time
	PeriodEnd        time.Time
	Granularity      Granularity
	Kind             ObservationKind
	Value            *decimal.Decimal // nil when withheld from the caller
	DisaggregationID *int64
	Status           ObservationStatus
	Note             *string
	SourceID         int64
}

type Granularity string

const (
	GranularityYear    Granularity = "year"
	GranularityQuarter Granularity = "quarter"
	GranularityMonth   Granularity = "month"
	GranularityRange   Granularity = "range"
)

type ObservationKind string

const (
	ObservationTarget   ObservationKind = "target"
	ObservationRealised ObservationKind = "realised"
	ObservationBaseline ObservationKind = "baseline"
)

type ObservationStatus string

const (
	StatusDraft     ObservationStatus = "draft"
	StatusSubmitted ObservationStatus = "submitted"
	StatusReviewed  ObservationStatus = "reviewed"
	StatusValidated ObservationStatus = "validated"
	StatusRejected  ObservationStatus = "rejected"
)

// Need is a need observed on the ground (besoin constaté) by a local diagnosis.
type Need struct {
	ID             int64
	TerritoryID    int64
	ThemeID        int64
	TargetPublicID *int64
	PeriodStart    time.Time
	PeriodEnd      time.Time
	Severity       int32
	Evidence       string
	SourceID       int64
}

// TransversalLink links a programme or a project to another policy.
type TransversalLink struct {
	ID          int64
	ProgrammeID *int64
	ProjectID   *int64
	PolicyID    int64
	Relation    LinkRelation
	Note        *string
	SourceID    int64
}

type LinkRelation string

const (
	RelationComplementarity     LinkRelation = "complementarity"
	RelationOverlap             LinkRelation = "overlap"
	RelationDoubleFinancingRisk LinkRelation = "double_financing_risk"
	RelationDoubleFollowUpRisk  LinkRelation = "double_follow_up_risk"
	RelationTension             LinkRelation = "tension"
)

// Coordination is the local social coordination of a commune (e.g. the CASS of Schaerbeek).
type Coordination struct {
	ID             int64
	Code           string
	Name           string
	Acronym        *string
	TerritoryID    int64
	LeadOperatorID *int64
	Description    *string
	SourceID       int64
}

// WorkingGroup is a body of a coordination: its steering committee or a working group.
type WorkingGroup struct {
	ID             int64
	CoordinationID int64
	Kind           WorkingGroupKind
	Name           string
	ThemeID        *int64
	Description    *string
	SourceID       int64
	Version        int32
}

type WorkingGroupKind string

const (
	SteeringCommittee WorkingGroupKind = "steering_committee"
	WorkingGroupBody  WorkingGroupKind = "working_group"
	Platform          WorkingGroupKind = "platform"
)

// Meeting is a meeting of a working group or steering committee.
type Meeting struct {
	ID               int64
	WorkingGroupID   int64
	Year             int32
	HeldOn           *time.Time
	Kind             MeetingKind
	ParticipantCount *int32
	Note             *string
	SourceID         int64
	Version          int32
}

// MeetingKind is what kind of meeting it was.
type MeetingKind string

const (
	MeetingOfTheBody      MeetingKind = "meeting"
	NetworkMeeting        MeetingKind = "network_meeting"
	SteeringCommitteeMeet MeetingKind = "steering_committee"
	Visit                 MeetingKind = "visit"
	Training              MeetingKind = "training"
	OtherMeeting          MeetingKind = "other"
)

// Event is an event organised within a coordination, with its participants.
type Event struct {
	ID               int64
	CoordinationID   *int64
	Title            string
	HeldOn           time.Time
	OrganiserID      *int64
	TerritoryID      *int64
	ThemeID          *int64
	Kind             EventKind
	ParticipantCount *int32
	Description      *string
	SourceID         int64
	Version          int32
}

// EventKind is what kind of event it was.
type EventKind string

const (
	Forum              EventKind = "forum"
	InformationSession EventKind = "information_session"
	TrainingEvent      EventKind = "training"
	OpenDay            EventKind = "open_day"
	NeighbourhoodParty EventKind = "neighbourhood_party"
	Conference         EventKind = "conference"
	AwarenessCampaign  EventKind = "campaign"
	OtherEvent         EventKind = "other"
)
