-- 0021: the dashboard's version (docs/rules.md, "Dashboard", its cache).
-- GET /api/v1/dashboard aggregates reports, advisories, their recipients
-- and hops, events, alerts and the registry. Every change to one of those
-- tables bumps ONE counter, by these triggers, whatever writes it (the
-- daemon, the command-line tool, another process on the database); a
-- change to a report or a recipient counts only when it touches a
-- column the dashboard reads (a delivery attempt, an escalation time, a
-- report's text or updated_at do not). A
-- dashboard computed in one snapshot with the version it read may be
-- answered again to the same reader while the version is unchanged and
-- no deadline it counts has passed (service/dashboard.c).
-- (IF NOT EXISTS: a database rewound to an older schema version by a test
-- re-runs this file.)
CREATE TABLE IF NOT EXISTS dash_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT OR IGNORE INTO dash_version(id, version) VALUES (1, 1);

CREATE TRIGGER IF NOT EXISTS dash_version_reports_ins
AFTER INSERT ON reports BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_reports_upd
AFTER UPDATE OF id, seq, originator, scope_id, sector_id, ministry_id, routing_ceptoar, agency_id, route, range, kind, state, severity, declared, chain, reached, community, current_hop, created_at, full_at, full_due, final_due
    ON reports BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_reports_del
AFTER DELETE ON reports BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_report_alerts_ins
AFTER INSERT ON report_alerts BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_report_alerts_upd
AFTER UPDATE ON report_alerts BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_report_alerts_del
AFTER DELETE ON report_alerts BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_events_ins
AFTER INSERT ON events BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_events_upd
AFTER UPDATE ON events BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_events_del
AFTER DELETE ON events BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_event_reports_ins
AFTER INSERT ON event_reports BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_event_reports_upd
AFTER UPDATE ON event_reports BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_event_reports_del
AFTER DELETE ON event_reports BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisories_ins
AFTER INSERT ON advisories BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisories_upd
AFTER UPDATE ON advisories BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisories_del
AFTER DELETE ON advisories BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_recipients_ins
AFTER INSERT ON advisory_recipients BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_recipients_upd
AFTER UPDATE OF advisory_id, org_id, via, released_at, acked_at
    ON advisory_recipients BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_recipients_del
AFTER DELETE ON advisory_recipients BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_hops_ins
AFTER INSERT ON advisory_hops BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_hops_upd
AFTER UPDATE ON advisory_hops BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_hops_del
AFTER DELETE ON advisory_hops BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_hop_withheld_ins
AFTER INSERT ON advisory_hop_withheld BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_hop_withheld_upd
AFTER UPDATE ON advisory_hop_withheld BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_hop_withheld_del
AFTER DELETE ON advisory_hop_withheld BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_channel_ins
AFTER INSERT ON advisory_channel BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_channel_upd
AFTER UPDATE ON advisory_channel BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_advisory_channel_del
AFTER DELETE ON advisory_channel BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_orgs_ins
AFTER INSERT ON orgs BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_orgs_upd
AFTER UPDATE ON orgs BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_orgs_del
AFTER DELETE ON orgs BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_memberships_ins
AFTER INSERT ON memberships BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_memberships_upd
AFTER UPDATE ON memberships BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_memberships_del
AFTER DELETE ON memberships BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_scopes_ins
AFTER INSERT ON scopes BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_scopes_upd
AFTER UPDATE ON scopes BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_scopes_del
AFTER DELETE ON scopes BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_sectors_ins
AFTER INSERT ON sectors BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_sectors_upd
AFTER UPDATE ON sectors BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_sectors_del
AFTER DELETE ON sectors BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_agreements_ins
AFTER INSERT ON agreements BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_agreements_upd
AFTER UPDATE ON agreements BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_agreements_del
AFTER DELETE ON agreements BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_handling_rules_ins
AFTER INSERT ON handling_rules BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_handling_rules_upd
AFTER UPDATE ON handling_rules BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_handling_rules_del
AFTER DELETE ON handling_rules BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_subgroups_ins
AFTER INSERT ON subgroups BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_subgroups_upd
AFTER UPDATE ON subgroups BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_subgroups_del
AFTER DELETE ON subgroups BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_subgroup_members_ins
AFTER INSERT ON subgroup_members BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_subgroup_members_upd
AFTER UPDATE ON subgroup_members BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_subgroup_members_del
AFTER DELETE ON subgroup_members BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_dist_lists_ins
AFTER INSERT ON dist_lists BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_dist_lists_upd
AFTER UPDATE ON dist_lists BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_dist_lists_del
AFTER DELETE ON dist_lists BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_dist_list_members_ins
AFTER INSERT ON dist_list_members BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_dist_list_members_upd
AFTER UPDATE ON dist_list_members BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_dist_list_members_del
AFTER DELETE ON dist_list_members BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_declarations_ins
AFTER INSERT ON declarations BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_declarations_upd
AFTER UPDATE ON declarations BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_declarations_del
AFTER DELETE ON declarations BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_declaration_sectors_ins
AFTER INSERT ON declaration_sectors BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_declaration_sectors_upd
AFTER UPDATE ON declaration_sectors BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_declaration_sectors_del
AFTER DELETE ON declaration_sectors BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_event_advisories_ins
AFTER INSERT ON event_advisories BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_event_advisories_upd
AFTER UPDATE ON event_advisories BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER IF NOT EXISTS dash_version_event_advisories_del
AFTER DELETE ON event_advisories BEGIN
    UPDATE dash_version SET version = version + 1 WHERE id = 1;
END;
