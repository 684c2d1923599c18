// Every page of a paginated operation (the model's paginators): follows
// nextPageToken and returns the first page's response holding the items of
// all pages, without a nextPageToken. A token SWF repeats, or more than
// max_pages pages, ends it with an error (code "PaginationLoop") instead of
// looping forever; more than max_items items ends it with "PaginationLimit".
#pragma once

#include <cstddef>

#include <boost/asio/awaitable.hpp>

#include "swf/client/client.hpp"

namespace swfrt::swf::client {

inline constexpr std::size_t default_max_pages = 100000;
// Items of all pages together ("PaginationLimit" past it); histories stop
// at history_limits::max_events instead.
inline constexpr std::size_t max_items = 1000000;

#define SWFRT_X(api, snake, in, out, member)                                                                      \
    boost::asio::awaitable<result<model::out>> snake##_all_pages(client& c, model::in request,                    \
                                                                 std::size_t max_pages = default_max_pages);
SWFRT_SWF_PAGINATORS(SWFRT_X)
#undef SWFRT_X

} // namespace swfrt::swf::client
