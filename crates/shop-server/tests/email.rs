//! Replies to customers who left reach a real SMTP peer when a relay is configured.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use inbox_protocol::*;
use reqwest::Method;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A minimal SMTP receiver on loopback that keeps every message's envelope and data.
async fn smtp_receiver() -> (String, Arc<Mutex<Vec<(Vec<String>, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let sink = sink.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 receiver ESMTP\r\n").await.unwrap();
                let mut recipients = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.to_ascii_uppercase();
                    let reply: &[u8] = if verb.starts_with("EHLO") || verb.starts_with("HELO") {
                        b"250-receiver\r\n250 8BITMIME\r\n"
                    } else if verb.starts_with("RCPT TO:") {
                        recipients.push(line[8..].trim().to_owned());
                        b"250 OK\r\n"
                    } else if verb.starts_with("DATA") {
                        write.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        sink.lock()
                            .unwrap()
                            .push((std::mem::take(&mut recipients), data));
                        b"250 queued\r\n"
                    } else if verb.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (url, received)
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_to_a_customer_who_left_go_out_through_smtp() {
    let (url, received) = smtp_receiver().await;
    let shop = TestShop::with(|c| {
        c.smtp = Some(shop_server::email::Smtp {
            url,
            from: "Nordlys Studio <hej@nordlys.example>".into(),
        })
    })
    .await;
    let session = shop.sign_in().await;
    // The customer wrote and left: they never kept the widget open.
    let chat = shop.start_chat("Tove Ek", "tove@example.se").await;
    shop.customer_says(&chat, "Skickar ni till Åland?").await;
    let reply: Message = ok(shop
        .send(
            Method::POST,
            &format!("/api/v1/conversations/{}/messages", chat.conversation_id),
            &session.token,
            &SendMessage::Text {
                text: "Ja, vi skickar till Åland!".into(),
            },
        )
        .await)
    .await;
    assert_eq!(
        reply.delivery,
        Some(Delivery::Email {
            address: "tove@example.se".into()
        })
    );

    let mut sent = None;
    for _ in 0..200 {
        let outbox: EmailOutbox = ok(shop
            .request(Method::GET, "/api/v1/demo/outbox", None)
            .send()
            .await
            .unwrap())
        .await;
        let email = outbox
            .emails
            .into_iter()
            .find(|e| e.message_id == Some(reply.id))
            .expect("recorded");
        if email.sent_at.is_some() {
            sent = Some(email);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        sent.is_some(),
        "the email was handed to the relay and stamped"
    );
    let received = received.lock().unwrap().clone();
    let (recipients, data) = received
        .iter()
        .find(|(_, d)| d.contains("tove@example.se"))
        .expect("the relay got it");
    assert_eq!(recipients, &vec!["<tove@example.se>".to_owned()]);
    assert!(
        data.contains("Subject: New reply from Nordlys Studio"),
        "{data}"
    );
    assert!(
        data.contains("From: \"Nordlys Studio\" <hej@nordlys.example>"),
        "{data}"
    );
    assert!(
        data.contains("Ja, vi skickar till =C3=85land!"),
        "the reply itself, quoted-printable: {data}"
    );
    // Only the new reply went out: the demo's history counts as sent long ago.
    assert_eq!(received.len(), 1);
    shop.stop().await;
}
