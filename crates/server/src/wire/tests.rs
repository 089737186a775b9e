//! The wire against real loopback sockets: order, queueing, overflow, shared writers.

use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{Enqueued, Wire, QUEUE_CAPACITY};

/// A wire (the server's end) and the client's end of one loopback connection.
async fn pair() -> (Wire, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (Wire::new(server), client)
}

/// Numbered 1 KiB chunks, so any reordering or interleaving shows in what arrives.
fn chunk(n: usize) -> Bytes {
    let mut bytes = format!("<{n:08}>").into_bytes();
    bytes.resize(1024, b'.');
    bytes.into()
}

/// Queues and flushes `frame`; true while the kernel took everything queued.
fn send(wire: &Wire, frame: &Bytes) -> bool {
    assert_ne!(wire.enqueue(frame), Enqueued::Overflow);
    wire.send_queued();
    wire.queued() == 0
}

/// Sends numbered chunks until the client's socket is full; how many were sent.
fn fill(wire: &Wire) -> usize {
    let mut sent = 0;
    while send(wire, &chunk(sent)) {
        sent += 1;
    }
    sent + 1
}

impl Wire {
    fn queued(&self) -> usize {
        self.queue().chunks.len()
    }
}

async fn read_exactly(client: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut received = vec![0; len];
    let read = client.read_exact(&mut received);
    tokio::time::timeout(Duration::from_secs(10), read).await.expect("the bytes arrive").unwrap();
    received
}

#[tokio::test]
async fn frames_queued_together_go_out_whole_and_in_order_on_flush() {
    let (wire, mut client) = pair().await;
    assert_eq!(wire.enqueue(&chunk(0)), Enqueued::First);
    assert_eq!(wire.enqueue(&chunk(1)), Enqueued::Behind);
    assert_eq!(wire.enqueue(&chunk(2)), Enqueued::Behind);
    wire.send_queued();
    assert_eq!(wire.queued(), 0);
    let received = read_exactly(&mut client, 3 * 1024).await;
    for (n, piece) in received.chunks(1024).enumerate() {
        assert_eq!(piece, chunk(n));
    }
}

#[tokio::test]
async fn a_client_that_does_not_read_fills_the_queue_then_overflows_and_loses_nothing() {
    let (wire, mut client) = pair().await;
    let mut sent = fill(&wire);
    while wire.enqueue(&chunk(sent)) == Enqueued::Behind {
        sent += 1;
    }
    assert_eq!(wire.enqueue(&chunk(sent)), Enqueued::Overflow, "stays full");
    assert_eq!(wire.queued(), QUEUE_CAPACITY, "{sent} sent");

    let drainer = wire.clone();
    let drain = tokio::spawn(async move { drainer.drained().await });
    let received = read_exactly(&mut client, sent * 1024).await;
    drain.await.unwrap().unwrap();
    for (n, piece) in received.chunks(1024).enumerate() {
        assert_eq!(piece, chunk(n), "chunk {n} arrives whole and in order");
    }
}

#[tokio::test]
async fn other_writers_go_after_what_is_queued() {
    let (wire, mut client) = pair().await;
    let sent = fill(&wire);
    let mut writer = wire.clone();
    let write = tokio::spawn(async move {
        writer.write_all(&chunk(usize::MAX / 2)).await.unwrap();
        writer.flush().await.unwrap();
    });
    let received = read_exactly(&mut client, (sent + 1) * 1024).await;
    write.await.unwrap();
    let (queued, last) = received.split_at(sent * 1024);
    for (n, piece) in queued.chunks(1024).enumerate() {
        assert_eq!(piece, chunk(n));
    }
    assert_eq!(last, chunk(usize::MAX / 2), "the writer's bytes come last, whole");
}

#[tokio::test]
async fn a_close_frame_is_queued_even_when_the_queue_is_full_and_nothing_follows_a_broken_socket() {
    let (wire, client) = pair().await;
    let mut sent = fill(&wire);
    while wire.enqueue(&chunk(sent)) != Enqueued::Overflow {
        sent += 1;
    }
    wire.enqueue_last(Bytes::from_static(b"close"));
    assert_eq!(wire.queued(), QUEUE_CAPACITY + 1);
    drop(client);
    let drained = tokio::time::timeout(Duration::from_secs(10), wire.drained()).await;
    assert!(drained.expect("a reset socket fails the drain").is_err());
    assert_eq!(wire.enqueue(&chunk(0)), Enqueued::Broken);
}
