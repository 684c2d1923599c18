# swfrt_add_plugin(target source...): a handler plugin as swf-runtime loads
# it. A MODULE library linking SwfRuntime::sdk, built with hidden visibility
# and a version script exporting only swfrt_plugin_entry, so that two
# plugins (or a plugin and the runtime) never bind to each other's copies of
# inline or template code, and linked with --no-undefined, so that a missing
# symbol fails the link instead of the runtime's dlopen. Link
# SwfRuntime::workflow as well for workflows as code: the static library is
# then part of the plugin and stays local to it.
#
# Used by the tree for its own plugins and installed with the package.
set(_swfrt_plugin_exports ${CMAKE_CURRENT_BINARY_DIR}/swfrt_plugin_exports.map)
file(CONFIGURE OUTPUT ${_swfrt_plugin_exports} CONTENT "{\n  global: swfrt_plugin_entry;\n  local: *;\n};\n")

function(swfrt_add_plugin target)
  if(NOT ARGN)
    message(FATAL_ERROR "swfrt_add_plugin(${target}): no sources given")
  endif()
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE SwfRuntime::sdk)
  set_target_properties(${target} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LINK_DEPENDS ${_swfrt_plugin_exports})
  target_link_options(${target} PRIVATE LINKER:--version-script=${_swfrt_plugin_exports})
  # A sanitizer build leaves the sanitizer runtime to the executable, so
  # its plugins have undefined symbols by design.
  get_target_property(_options ${target} COMPILE_OPTIONS)
  get_directory_property(_dir_options COMPILE_OPTIONS)
  if(NOT "${_options};${_dir_options}" MATCHES "-fsanitize=")
    target_link_options(${target} PRIVATE LINKER:--no-undefined)
  endif()
endfunction()
