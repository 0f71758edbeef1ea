#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| cognito_flows_emulator::fuzz::id_token(data));
