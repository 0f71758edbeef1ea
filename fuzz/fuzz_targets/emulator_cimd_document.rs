#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| cognito_flows_emulator::fuzz::cimd_document(data));
