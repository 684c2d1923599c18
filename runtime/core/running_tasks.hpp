// The tasks a worker is running: for the shutdown (stop them, list them)
// and the slots-in-use gauge. A task is listed while its entry lives, so
// leaving the list needs no call at any exit.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "runtime/core/worker_types.hpp"

namespace swfrt::runtime {

struct running_task {
    worker_kind kind = worker_kind::activity;
    std::string type_label; // name:version
    std::string workflow_id, run_id, id;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::stop_source stop;
    std::atomic<bool> stopped_by_shutdown{false};
    virtual ~running_task() = default;
};

class running_tasks {
public:
    // Called with the number of running tasks whenever it changes.
    explicit running_tasks(std::function<void(std::size_t)> on_change = {}) : on_change_(std::move(on_change)) {}

    class entry {
    public:
        entry() = default;
        entry(entry&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), task_(std::move(o.task_)) {}
        entry& operator=(entry&& o) noexcept {
            if (this != &o) {
                reset();
                owner_ = std::exchange(o.owner_, nullptr);
                task_ = std::move(o.task_);
            }
            return *this;
        }
        entry(const entry&) = delete;
        entry& operator=(const entry&) = delete;
        ~entry() { reset(); }
        void reset() noexcept {
            if (auto* o = std::exchange(owner_, nullptr)) o->remove(task_.get());
            task_.reset();
        }

    private:
        friend class running_tasks;
        entry(running_tasks* owner, std::shared_ptr<running_task> t) : owner_(owner), task_(std::move(t)) {}
        running_tasks* owner_ = nullptr;
        std::shared_ptr<running_task> task_;
    };

    entry add(std::shared_ptr<running_task> t) {
        {
            // The gauge is set under the lock, so that it never shows an older count.
            std::lock_guard lock(mutex_);
            tasks_.insert(t.get());
            received_.fetch_add(1);
            count_.store(tasks_.size());
            if (on_change_) on_change_(tasks_.size());
        }
        return entry(this, std::move(t));
    }

    // Triggers every running task's stop token, marked as stopped by the shutdown.
    void stop_all() {
        std::lock_guard lock(mutex_);
        for (auto* t : tasks_) {
            t->stopped_by_shutdown.store(true);
            t->stop.request_stop();
        }
    }

    std::size_t size() const noexcept { return count_.load(); }
    std::uint64_t received() const noexcept { return received_.load(); }

    // One line per task, for the shutdown log.
    std::vector<std::string> describe() const {
        std::vector<std::string> out;
        std::lock_guard lock(mutex_);
        auto now = std::chrono::steady_clock::now();
        for (const auto* t : tasks_) {
            auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - t->started).count();
            out.push_back(std::string(to_string(t->kind)) + " " + t->type_label + " workflow_id=" + t->workflow_id +
                          " run_id=" + t->run_id + (t->id.empty() ? "" : " activity_id=" + t->id) + " running " +
                          std::to_string(secs) + "s");
        }
        return out;
    }

private:
    void remove(running_task* t) noexcept {
        std::lock_guard lock(mutex_);
        tasks_.erase(t);
        count_.store(tasks_.size());
        if (on_change_) on_change_(tasks_.size());
    }

    std::function<void(std::size_t)> on_change_;
    mutable std::mutex mutex_;
    std::set<running_task*> tasks_;
    std::atomic<std::size_t> count_{0};
    std::atomic<std::uint64_t> received_{0};
};

} // namespace swfrt::runtime
