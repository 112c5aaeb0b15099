DROP TABLE IF EXISTS transversal_link, need, observation, disaggregation, event_organisation, event,
  meeting, working_group_member, working_group, coordination_member, coordination, indicator,
  project_partner, project_target_public, project_theme, project, approval, operator_territory,
  operator_sector, operator, programme_territory, programme_axis, programme, policy, authority,
  territory_group_member, territory, legal_form, sector, target_public, theme, source;
DROP FUNCTION IF EXISTS valid_enterprise_number(text), fold(text);
