// The dev server's durable state (--db FILE): one SQLite file, one writer.
// It stores what the service hands it as JSON text and knows nothing of its
// shape: the catalog (domains and types), one record per execution, and
// each execution's history events, appended. A write is one transaction,
// committed before the request it belongs to is answered.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "swf/error.hpp"

namespace swfrt::swf::service {

struct stored_execution {
    std::uint64_t serial = 0;
    std::string record;              // the service's JSON of the execution
    std::vector<std::string> events; // history events in order, as JSON
};

struct stored_state {
    std::string catalog; // empty: nothing stored yet
    std::vector<stored_execution> executions;
};

// One transaction's worth of changes.
struct store_write {
    std::optional<std::string> catalog;
    struct execution_change {
        std::uint64_t serial = 0;
        std::string record;
        std::int64_t first_new_event = 0; // id of events[0]
        std::vector<std::string> events;  // new events only
    };
    std::vector<execution_change> executions;
    std::vector<std::uint64_t> removed; // executions deleted with their events
    bool empty() const noexcept { return !catalog && executions.empty() && removed.empty(); }
};

class store {
public:
    // Opens (or creates) the file; an error names the file and the cause.
    static result<std::unique_ptr<store>> open(const std::string& path);
    ~store();
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    result<stored_state> load();
    result<void> write(const store_write& w);

private:
    explicit store(void* db, std::string path) : db_(db), path_(std::move(path)) {}
    result<void> exec(const char* sql);
    void* db_; // sqlite3*
    std::string path_;
};

} // namespace swfrt::swf::service
