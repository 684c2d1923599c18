// The SWF client for programs and tools: the async client for all 39
// operations (swf/client/client.hpp), its four py_swf-style roles (workflow,
// decision, activity, registration) and a blocking face for scripts.
//
//   #include <swfrt/client.hpp>
//   boost::asio::io_context io;
//   auto c = swfrt::swf::client::client::from_environment(io.get_executor(), {}).value();
//
// Link SwfRuntime::client (find_package(SwfRuntime COMPONENTS client)).
#pragma once

#include "swf/client/blocking.hpp"
#include "swf/client/client.hpp"
#include "swf/client/paginate.hpp"
#include "swf/client/roles.hpp"
