// What a poller polls: one kind of task. Each call polls SWF once with a
// slot's lease held; a task it brings is handed on with the lease to be run
// and answered (the slot is free again once that is done), anything else
// frees the slot when the call returns.
#pragma once

#include <optional>

#include <boost/asio/awaitable.hpp>

#include "runtime/core/slots.hpp"
#include "swf/error.hpp"

namespace swfrt::runtime {

struct poll_result {
    bool task = false;                 // a task came and was handed on
    std::optional<swf::error> failure; // the poll failed
};

class task_source {
public:
    virtual ~task_source() = default;
    virtual boost::asio::awaitable<poll_result> poll_once(slot_lease lease) = 0;
};

} // namespace swfrt::runtime
