//! The JS SDK's use cases (the `amazon-cognito-identity-js` README, 1 to 24), done the
//! cognito-flows way. Each example runs as a doc test against canned answers
//! ([`testing::Canned`](crate::testing::Canned)); in an application an adapter
//! (`cognito_flows_ureq::drive`) sends the requests instead.
//!
//! Every example starts from:
//!
//! ```
//! # use cognito_flows::UserPool;
//! let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?; // CognitoUserPool
//! # Ok::<(), cognito_flows::PoolError>(())
//! ```
//!
//! **1. Registering a user** (`userPool.signUp`):
//! ```
//! # use cognito_flows::{UserPool, testing::Canned, flows::account::{self, NewUser}};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({"UserSub": "5b1c", "UserConfirmed": false})]);
//! let user = NewUser::new("alice", "Passw0rd!")
//!     .attribute("email", "alice@example.com")
//!     .attribute("phone_number", "+15555550100");
//! let signed_up = cognito.run(account::sign_up(&pool, &user))?;
//! println!("user name is {}", signed_up.user_sub);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **2. Confirming a registration** (`confirmRegistration`), **3. resending the code**
//! (`resendConfirmationCode`):
//! ```
//! # use cognito_flows::{UserPool, testing::Canned, flows::account};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({}), json!({"CodeDeliveryDetails": {"DeliveryMedium": "SMS"}})]);
//! cognito.run(account::confirm_sign_up(&pool, "alice", "123456", true))?;
//! let sent = cognito.run(account::resend_confirmation_code(&pool, "alice"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **4. Authenticating a user** (`authenticateUser`, SRP), answering MFA if the pool asks:
//! ```
//! # use cognito_flows::{UserPool, Entropy, Input, Prompt, SignIn, testing::{self, Canned}};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([testing::password_verifier("alice"), json!({"ChallengeName": "SMS_MFA", "Session": "s", "ChallengeParameters": {"CODE_DELIVERY_DESTINATION": "+***0100"}}), testing::tokens("alice")]);
//! # let seed = [7; 32];
//! let flow = SignIn::user_srp(&pool, "alice", "Passw0rd!", Entropy::from(seed));
//! let signed_in = cognito.run_with(flow, |prompt| match prompt {
//!     Prompt::SmsMfaCode { delivery, .. } => Input::code("123456"), // mfaRequired
//!     Prompt::TotpCode { .. } => Input::code("654321"),             // totpRequired
//!     other => panic!("this example answers no {}", other.kind()),
//! })?;
//! println!("access token: {}", signed_in.tokens.access_token.expose());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **5. Retrieving attributes** (`getUserAttributes`), **24. the MFA options** (`getMFAOptions`):
//! ```
//! # use cognito_flows::{UserPool, testing::Canned, flows::account};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({"Username": "alice", "UserAttributes": [{"Name": "email", "Value": "a@e.com"}], "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]})]);
//! # let access_token = "token";
//! let user = cognito.run(account::get_user(&pool, access_token))?;
//! for (name, value) in user.attributes() {
//!     println!("{name}: {value}");
//! }
//! let mfa_options = &user.mfa_options;
//! # assert_eq!(mfa_options.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **6. Verifying an attribute** (`getAttributeVerificationCode`, then `verifyAttribute`):
//! ```
//! # use cognito_flows::{UserPool, testing::Canned, flows::account};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({"CodeDeliveryDetails": {}}), json!({})]);
//! # let access_token = "token";
//! cognito.run(account::get_user_attribute_verification_code(&pool, access_token, "email"))?;
//! cognito.run(account::verify_user_attribute(&pool, access_token, "email", "123456"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **7. Deleting an attribute** (`deleteAttributes`), **8. updating attributes**
//! (`updateAttributes`):
//! ```
//! # use cognito_flows::{UserPool, testing::Canned, flows::account, wire::AttributeType};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({}), json!({"CodeDeliveryDetailsList": []})]);
//! # let access_token = "token";
//! cognito.run(account::delete_user_attributes(&pool, access_token, vec!["nickname".into()]))?;
//! let changed = cognito.run(account::update_user_attributes(
//!     &pool,
//!     access_token,
//!     vec![AttributeType::new("nickname", "joe")],
//! ))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **9. Enabling MFA** (`enableMFA`), **10. disabling MFA** (`disableMFA`), and the newer
//! per-method preference (`setUserMfaPreference`):
//! ```
//! # use cognito_flows::{UserPool, testing::Canned, flows::account::{self, MfaPreferences}, wire::MfaSettings};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({}), json!({}), json!({})]);
//! # let access_token = "token";
//! cognito.run(account::set_user_settings(&pool, access_token, true))?;
//! cognito.run(account::set_user_settings(&pool, access_token, false))?;
//! let totp = Some(MfaSettings { enabled: true, preferred_mfa: true });
//! cognito.run(account::set_user_mfa_preference(&pool, access_token, MfaPreferences { totp, ..Default::default() }))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **Setting up TOTP with an access token** (`associateSoftwareToken`, `verifySoftwareToken`):
//! associate a secret, show it as a QR code (`totp::otpauth_uri`), verify the app's first code,
//! then prefer TOTP as above. The whole sequence through the adapters' `Client`, ending with a
//! sign-in that asks for the code, is the "TOTP setup with an access token" example of
//! `cognito-flows-ureq`'s crate docs, a doc test that runs against the embedded emulator (and
//! `totp_setup` in `cognito-flows-async`'s tests).
//!
//! **11. Changing the password** (`changePassword`):
//! ```
//! # use cognito_flows::{UserPool, testing::Canned, flows::account};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({})]);
//! # let access_token = "token";
//! cognito.run(account::change_password(&pool, access_token, &"old".into(), &"N3w-pass!".into()))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **12. Forgot password** (`forgotPassword` with `inputVerificationCode`):
//! ```
//! # use cognito_flows::{UserPool, ForgotPassword, Input, Prompt, testing::Canned};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({"CodeDeliveryDetails": {}}), json!({})]);
//! cognito.run_with(ForgotPassword::new(&pool, "alice"), |prompt| match prompt {
//!     Prompt::PasswordReset { .. } => Input::PasswordReset { code: "123456".into(), password: "N3w-pass!".into() },
//!     other => panic!("this example answers no {}", other.kind()),
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **13. Deleting the user** (`deleteUser`), **15. global sign-out** (`globalSignOut`):
//! ```
//! # use cognito_flows::{UserPool, testing::Canned, flows::account};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({}), json!({})]);
//! # let access_token = "token";
//! cognito.run(account::global_sign_out(&pool, access_token))?;
//! cognito.run(account::delete_user(&pool, access_token))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **14. Signing out** (`signOut`): forget the stored session and revoke its refresh token.
//! ```
//! # use cognito_flows::{UserPool, testing::Canned, flows::account};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({})]);
//! # let refresh_token = cognito_flows::SecretString::new("refresh");
//! cognito.run(account::revoke_token(&pool, &refresh_token, None))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **16. The current user from storage** (`getCurrentUser` / `getSession`): read what the JS SDK
//! stored (`localStorage` items here; a `Cookie` header with
//! [`Saved::from_cookie_header`](crate::storage::Saved::from_cookie_header)), turn it into a
//! [`StoredSession`](crate::StoredSession), and let
//! [`get_session`](crate::StoredSession::get_session) say whether the tokens are still valid or
//! which refresh to run. No password is asked.
//! ```
//! # use std::collections::BTreeMap;
//! # use std::time::Duration;
//! # use cognito_flows::{UserPool, Entropy, StoredSession, storage::Saved, session::SessionCheck, testing::{self, Canned}};
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut js_app = Canned::new([testing::tokens("alice")]);
//! # let signed_in = js_app.run(cognito_flows::SignIn::user_password(&pool, "alice", "pw", Entropy::from([1; 32])))?;
//! // What the JS front end left in localStorage, e.g. sent to a desktop app or a back end:
//! # let local_storage: BTreeMap<String, String> = StoredSession::from(signed_in).storage_items(pool.client_id()).into_iter().map(|(k, v)| (k, v.expose().to_owned())).collect();
//! # let mut cognito = Canned::new([testing::tokens("alice")]);
//! let saved = Saved::read(pool.client_id(), |key| local_storage.get(key).cloned()).ok_or("nobody signed in")?;
//! let mut session = saved.into_session().ok_or("no tokens stored")?;
//! assert_eq!(session.username, "alice");
//!
//! // An hour later the tokens have expired: getSession refreshes them.
//! let later = cognito.now + Duration::from_secs(3600);
//! match session.get_session(&pool, later) {
//!     SessionCheck::Valid => {}
//!     SessionCheck::Refresh(flow) => session = cognito.run(flow)?,
//!     SessionCheck::SignedOut => return Err("signed out: sign in again".into()),
//! }
//! # assert_eq!(cognito.requests().len(), 1);
//! // Hand the refreshed session back to the JS app, in its own keys:
//! let items = session.storage_items(pool.client_id());
//! # assert!(items.iter().any(|(k, _)| k.ends_with(".alice.accessToken")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **17. Cognito Identity** (identity pools): the calls to an identity pool are outside this
//! crate; give them the logins map, the id token under the pool's provider name
//! `cognito-idp.{region}.amazonaws.com/{pool id}`.
//! ```
//! # use cognito_flows::{UserPool, Entropy, StoredSession, testing::{self, Canned}};
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([testing::tokens("alice")]);
//! # let session = StoredSession::from(cognito.run(cognito_flows::SignIn::user_password(&pool, "alice", "pw", Entropy::from([1; 32])))?);
//! let logins = session.identity_pool_logins(&pool).ok_or("no id token")?;
//! let id_token = &logins["cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"];
//! assert_eq!(id_token.expose(), session.tokens.id_token.as_ref().ok_or("no id token")?.expose());
//! // GetId / GetCredentialsForIdentity with { "Logins": logins } (AWS SDK, identity pools)
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **18. Listing devices** (with pagination), **19. the current device**, **20. remembering**,
//! **21. not remembering**, **22. forgetting** it:
//! ```
//! # use cognito_flows::{UserPool, testing::Canned, flows::account};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({"Devices": [], "PaginationToken": "p2"}), json!({"Devices": []}), json!({"Device": {"DeviceKey": "k"}}), json!({}), json!({}), json!({})]);
//! # let (access_token, device_key) = ("token", "us-east-1_k");
//! let mut page = None;
//! loop {
//!     let listed = cognito.run(account::list_devices(&pool, access_token, Some(10), page.as_deref()))?;
//!     page = listed.pagination_token;
//!     if page.is_none() { break; }
//! }
//! let device = cognito.run(account::get_device(&pool, access_token, device_key))?;
//! cognito.run(account::update_device_status(&pool, access_token, device_key, true))?;
//! cognito.run(account::update_device_status(&pool, access_token, device_key, false))?;
//! cognito.run(account::forget_device(&pool, access_token, device_key))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **23. A new password for a user created by an administrator** (`newPasswordRequired`):
//! ```
//! # use std::collections::BTreeMap;
//! # use cognito_flows::{UserPool, Entropy, Input, Prompt, SignIn, testing::{self, Canned}};
//! # use serde_json::json;
//! # let pool = UserPool::new("us-east-1_AbC123", "1example23456789")?;
//! # let mut cognito = Canned::new([json!({"ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "s", "ChallengeParameters": {"requiredAttributes": "[\"userAttributes.name\"]", "userAttributes": "{}"}}), testing::tokens("alice")]);
//! let flow = SignIn::user_password(&pool, "alice", "temporary", Entropy::from([3; 32]));
//! cognito.run_with(flow, |prompt| match prompt {
//!     Prompt::NewPassword { required_attributes, .. } => Input::NewPassword {
//!         password: "Str0ng-pass!".into(),
//!         attributes: required_attributes.into_iter().map(|name| (name, "Alice".to_owned())).collect(),
//!     },
//!     other => panic!("this example answers no {}", other.kind()),
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
