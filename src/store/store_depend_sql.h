/* issue 15: the interdependency model and cascade suggestions
 * (store_depend.c; migration 0025). Included by store/store_sql.h: no
 * include guard on purpose. */
ST(DEP_CURRENT, "SELECT version, model, created_by, created_at FROM "
                "dep_models ORDER BY version DESC LIMIT 1")
ST(DEP_ADD, "INSERT INTO dep_models(version, model, created_by, created_at) "
            "VALUES (?1, ?2, ?3, ?4)")
ST(CASCADE_ADD, "INSERT INTO cascade_log(event_id, model_version, severity, "
                "sources, suggestions, created_by, created_at, reader) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
ST(CASCADE_GET, "SELECT id, event_id, model_version, severity, sources, "
                "suggestions, created_by, created_at, advisory_id, acted_by, "
                "acted_at, reader FROM cascade_log WHERE id = ?1")
ST(CASCADE_LAST, "SELECT id, event_id, model_version, severity, sources, "
                 "suggestions, created_by, created_at, advisory_id, "
                 "acted_by, acted_at, reader FROM cascade_log WHERE "
                 "event_id = ?1 AND reader = ?2 ORDER BY id DESC LIMIT 1")
/* a row's number among its subject's rows of its reader (1, 2, ...: what
 * that reader sees; migration 0040) */
ST(CASCADE_ORDINAL, "SELECT count(*) FROM cascade_log WHERE event_id = ?1 "
                    "AND reader = ?3 AND id <= ?2")
/* the row of subject ?1 and reader ?3 numbered ?2 */
ST(CASCADE_BY_ORDINAL, "SELECT id FROM cascade_log WHERE event_id = ?1 AND "
                       "reader = ?3 ORDER BY id LIMIT 1 OFFSET ?2")
ST(CASCADE_ACTED, "UPDATE cascade_log SET advisory_id = ?2, acted_by = ?3, "
                  "acted_at = ?4 WHERE id = ?1 AND advisory_id = ''")
