// Exports swfrt_plugin_entry as data rather than as a function, as a plugin
// that declared it wrong would: calling its address would jump into data.
extern "C" {
__attribute__((visibility("default"))) int swfrt_plugin_entry[4] = {1, 2, 3, 4};
}
