#include "swf/service/store.hpp"

#include <optional>

#include <sqlite3.h>

namespace swfrt::swf::service {

namespace {

sqlite3* handle(void* p) { return static_cast<sqlite3*>(p); }

error db_error(const std::string& path, sqlite3* db, const std::string& what) {
    return make_error(error_kind::fatal, "StoreError",
                      path + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// A prepared statement, finalized when it goes.
struct statement {
    sqlite3_stmt* s = nullptr;
    ~statement() { sqlite3_finalize(s); }
};

} // namespace

result<std::unique_ptr<store>> store::open(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        auto e = db_error(path, db, "cannot open the state file");
        sqlite3_close(db);
        return e;
    }
    std::unique_ptr<store> s(new store(db, path));
    // One writer: a second server on the same file is refused, not interleaved.
    for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA locking_mode=EXCLUSIVE",
                            "CREATE TABLE IF NOT EXISTS catalog (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
                            "CREATE TABLE IF NOT EXISTS executions (serial INTEGER PRIMARY KEY, json TEXT NOT NULL)",
                            "CREATE TABLE IF NOT EXISTS events (serial INTEGER NOT NULL, id INTEGER NOT NULL, "
                            "json TEXT NOT NULL, PRIMARY KEY (serial, id))",
                            "BEGIN EXCLUSIVE", "COMMIT"}) {
        if (auto r = s->exec(sql); !r) return r.error();
    }
    return s;
}

store::~store() { sqlite3_close(handle(db_)); }

result<void> store::exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(handle(db_), sql, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string m = message ? message : "unknown error";
        sqlite3_free(message);
        return make_error(error_kind::fatal, "StoreError", path_ + ": " + m + " (" + sql + ")");
    }
    return {};
}

result<stored_state> store::load() {
    stored_state out;
    auto* db = handle(db_);
    {
        statement st;
        if (sqlite3_prepare_v2(db, "SELECT json FROM catalog WHERE id = 1", -1, &st.s, nullptr) != SQLITE_OK)
            return db_error(path_, db, "cannot read the catalog");
        if (sqlite3_step(st.s) == SQLITE_ROW)
            out.catalog = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
    }
    {
        statement st;
        if (sqlite3_prepare_v2(db, "SELECT serial, json FROM executions ORDER BY serial", -1, &st.s, nullptr) != SQLITE_OK)
            return db_error(path_, db, "cannot read the executions");
        while (sqlite3_step(st.s) == SQLITE_ROW) {
            stored_execution e;
            e.serial = static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 0));
            e.record = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 1));
            out.executions.push_back(std::move(e));
        }
    }
    {
        statement st;
        if (sqlite3_prepare_v2(db, "SELECT serial, id, json FROM events ORDER BY serial, id", -1, &st.s, nullptr) != SQLITE_OK)
            return db_error(path_, db, "cannot read the events");
        std::size_t at = 0;
        while (sqlite3_step(st.s) == SQLITE_ROW) {
            const auto serial = static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 0));
            const auto id = sqlite3_column_int64(st.s, 1);
            while (at < out.executions.size() && out.executions[at].serial < serial) ++at;
            if (at == out.executions.size() || out.executions[at].serial != serial)
                return make_error(error_kind::fatal, "StoreError",
                                  path_ + ": events of execution " + std::to_string(serial) + " without its record");
            auto& events = out.executions[at].events;
            if (id != static_cast<std::int64_t>(events.size()) + 1)
                return make_error(error_kind::fatal, "StoreError",
                                  path_ + ": execution " + std::to_string(serial) + " lacks event " +
                                      std::to_string(events.size() + 1));
            events.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st.s, 2)));
        }
    }
    return out;
}

result<void> store::write(const store_write& w) {
    if (w.empty()) return {};
    auto* db = handle(db_);
    if (auto r = exec("BEGIN IMMEDIATE"); !r) return r;
    auto fail = [&](const std::string& what) -> result<void> {
        auto e = db_error(path_, db, what);
        (void)exec("ROLLBACK");
        return e;
    };
    if (w.catalog) {
        statement st;
        if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO catalog (id, json) VALUES (1, ?)", -1, &st.s, nullptr) != SQLITE_OK)
            return fail("cannot write the catalog");
        sqlite3_bind_text(st.s, 1, w.catalog->data(), static_cast<int>(w.catalog->size()), SQLITE_STATIC);
        if (sqlite3_step(st.s) != SQLITE_DONE) return fail("cannot write the catalog");
    }
    statement rec, ev;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO executions (serial, json) VALUES (?, ?)", -1, &rec.s, nullptr) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO events (serial, id, json) VALUES (?, ?, ?)", -1, &ev.s, nullptr) != SQLITE_OK)
        return fail("cannot prepare the writes");
    for (const auto& x : w.executions) {
        sqlite3_reset(rec.s);
        sqlite3_bind_int64(rec.s, 1, static_cast<sqlite3_int64>(x.serial));
        sqlite3_bind_text(rec.s, 2, x.record.data(), static_cast<int>(x.record.size()), SQLITE_STATIC);
        if (sqlite3_step(rec.s) != SQLITE_DONE) return fail("cannot write execution " + std::to_string(x.serial));
        for (std::size_t i = 0; i < x.events.size(); ++i) {
            sqlite3_reset(ev.s);
            sqlite3_bind_int64(ev.s, 1, static_cast<sqlite3_int64>(x.serial));
            sqlite3_bind_int64(ev.s, 2, x.first_new_event + static_cast<std::int64_t>(i));
            sqlite3_bind_text(ev.s, 3, x.events[i].data(), static_cast<int>(x.events[i].size()), SQLITE_STATIC);
            if (sqlite3_step(ev.s) != SQLITE_DONE) return fail("cannot append to execution " + std::to_string(x.serial));
        }
    }
    statement del_rec, del_ev;
    if (!w.removed.empty() &&
        (sqlite3_prepare_v2(db, "DELETE FROM executions WHERE serial = ?", -1, &del_rec.s, nullptr) != SQLITE_OK ||
         sqlite3_prepare_v2(db, "DELETE FROM events WHERE serial = ?", -1, &del_ev.s, nullptr) != SQLITE_OK))
        return fail("cannot prepare the deletes");
    for (auto serial : w.removed) {
        for (auto* st : {del_rec.s, del_ev.s}) {
            sqlite3_reset(st);
            sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(serial));
            if (sqlite3_step(st) != SQLITE_DONE) return fail("cannot delete execution " + std::to_string(serial));
        }
    }
    if (auto r = exec("COMMIT"); !r) {
        (void)exec("ROLLBACK");
        return r;
    }
    return {};
}

} // namespace swfrt::swf::service
