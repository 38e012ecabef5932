//! Auto traits and sizes of the public types.

use vl_schema::{
    AppendRef, ClientEvent, DecodeError, ProtocolError, RequestSession, ResponseSession,
    ServerEvent,
};

fn assert_send_sync<T: Send + Sync + 'static>() {}
fn assert_send_sync_ref<'a, T: Send + Sync + 'a>() {}

#[test]
fn public_types_are_send_and_sync() {
    assert_send_sync::<ClientEvent>();
    assert_send_sync::<ServerEvent>();
    assert_send_sync::<DecodeError>();
    assert_send_sync::<ProtocolError>();
    assert_send_sync::<RequestSession>();
    assert_send_sync::<ResponseSession>();
    assert_send_sync::<vl_schema::dialect::Dialect>();
    assert_send_sync_ref::<AppendRef<'_>>();
}

#[test]
fn decode_error_is_one_pointer() {
    assert_eq!(
        std::mem::size_of::<DecodeError>(),
        std::mem::size_of::<usize>()
    );
    // The error does not make `Result` bigger than the event itself needs.
    assert_eq!(
        std::mem::size_of::<Result<ClientEvent, DecodeError>>(),
        std::mem::size_of::<ClientEvent>()
    );
}
