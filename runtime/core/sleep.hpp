// How the worker's loops wait: through the worker's sleep seam (tests move
// time themselves) or else an Asio timer, and in both cases cut short when
// the loop's signal is emitted (stop, a heartbeat request). The caller runs
// on a strand and emits the signal on the same strand.
#pragma once

#include <chrono>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "swf/client/client.hpp"

namespace swfrt::runtime {

boost::asio::awaitable<void> sleep_cut_short(const swf::client::sleep_fn& seam, boost::asio::cancellation_signal& cut,
                                             std::chrono::milliseconds d);

} // namespace swfrt::runtime
