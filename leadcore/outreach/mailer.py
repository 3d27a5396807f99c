"""Building a message and handing it to the company's SMTP server, through the standard library's ``smtplib``.

``smtplib`` is the maintained client (it ships with Python, has STARTTLS and AUTH); we call its ``mail``/``rcpt``/
``data`` steps rather than ``send_message`` only to keep the server's answer to DATA, which is recorded.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from urllib.parse import quote

from leadcore.config import Settings


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str = ""
    password: str = ""
    starttls: bool = True
    timeout_s: float = 20.0
    mail_from: str = ""

    @classmethod
    def from_settings(cls, s: Settings) -> SmtpConfig | None:
        """The SMTP settings, or None when LEADCORE_SMTP_HOST is not set (then the app offers mailto: links)."""
        if not s.smtp_host.strip():
            return None
        return cls(host=s.smtp_host.strip(), port=s.smtp_port, username=s.smtp_username,
                   password=s.smtp_password.get_secret_value() if s.smtp_password else "",
                   starttls=s.smtp_starttls, timeout_s=s.smtp_timeout_s, mail_from=s.mail_from.strip())


@dataclass(frozen=True)
class Outgoing:
    """One message as the outbox holds it, with who sends it."""

    outbox_id: int
    lead_id: int
    to_addr: str
    subject: str
    text: str
    html: str
    sender_name: str
    sender_email: str
    date: datetime


@dataclass(frozen=True)
class Delivery:
    ok: bool
    message_id: str
    response: str


class SmtpUnavailable(Exception):
    """The server could not be reached or refused our login: no message can go until the settings are fixed."""


FOOTER = "You are receiving this because we think it is relevant to your work. Reply \"unsubscribe\" and we will " \
         "not email you again."


def build_message(out: Outgoing, *, mail_from: str) -> EmailMessage:
    """The MIME message: plain text and HTML alternatives, Reply-To the rep, List-Unsubscribe a mailto: to the rep."""
    msg = EmailMessage()
    domain = mail_from.rsplit("@", 1)[-1] if "@" in mail_from else None
    msg["Message-ID"] = make_msgid(idstring=f"lead{out.lead_id}.m{out.outbox_id}", domain=domain)
    msg["From"] = formataddr((out.sender_name, mail_from)) if out.sender_name else mail_from
    msg["To"] = out.to_addr
    msg["Reply-To"] = formataddr((out.sender_name, out.sender_email)) if out.sender_name else out.sender_email
    msg["Subject"] = out.subject
    msg["Date"] = format_datetime(out.date.astimezone(UTC))
    msg["List-Unsubscribe"] = f"<{unsubscribe_mailto(out.sender_email, out.lead_id)}>"
    msg.set_content(f"{out.text.rstrip()}\n\n--\n{FOOTER}\n")
    footer = f'<p style="color:#777;font-size:12px">{html.escape(FOOTER)}</p>'
    msg.add_alternative(f"<html><body>{out.html}{footer}</body></html>\n", subtype="html")
    return msg


def unsubscribe_mailto(sender_email: str, lead_id: int) -> str:
    return f"mailto:{sender_email}?subject={quote(f'unsubscribe lead {lead_id}')}"


def mailto_link(to_addr: str, subject: str, text: str) -> str:
    """An "open in mail client" link with the rendered text, for when no SMTP server is configured."""
    return f"mailto:{quote(to_addr, safe='@')}?subject={quote(subject)}&body={quote(text)}"


class SmtpMailer:
    """One SMTP session for a batch of messages (open → send many → close)."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    @property
    def mail_from(self) -> str:
        return self.config.mail_from

    def __enter__(self) -> SmtpMailer:
        c = self.config
        where = f"{c.host}:{c.port}"
        try:
            smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout_s)
        except (OSError, smtplib.SMTPException) as e:
            raise SmtpUnavailable(f"The SMTP server at {where} cannot be reached ({_reason(e)}); "
                                  "check LEADCORE_SMTP_HOST and LEADCORE_SMTP_PORT, or that the server is up") from e
        try:
            smtp.ehlo()
            if c.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if c.username:
                smtp.login(c.username, c.password)
        except smtplib.SMTPAuthenticationError as e:
            smtp.close()
            raise SmtpUnavailable(f"The SMTP server at {where} refused the login ({_reason(e)}); "
                                  "check LEADCORE_SMTP_USERNAME and LEADCORE_SMTP_PASSWORD") from e
        except (OSError, smtplib.SMTPException) as e:
            smtp.close()
            raise SmtpUnavailable(f"The SMTP server at {where} failed during setup ({_reason(e)}); "
                                  "check LEADCORE_SMTP_STARTTLS and the server's settings") from e
        self._smtp = smtp
        return self

    def __exit__(self, *exc: object) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, out: Outgoing) -> Delivery:
        """Hand one message over. A refusal of this message is a failed Delivery; a lost server raises
        SmtpUnavailable (the message's outcome is then unknown to the server's answer and recorded as failed)."""
        assert self._smtp is not None, "use SmtpMailer as a context manager"
        msg = build_message(out, mail_from=self.mail_from)
        message_id = str(msg["Message-ID"])
        smtp = self._smtp
        try:
            code, resp = smtp.mail(self.mail_from)
            if code != 250:
                smtp.rset()
                return Delivery(False, message_id, f"MAIL FROM refused: {code} {_text(resp)}")
            code, resp = smtp.rcpt(out.to_addr)
            if code not in (250, 251):
                smtp.rset()
                return Delivery(False, message_id, f"Recipient refused: {code} {_text(resp)}")
            code, resp = smtp.data(msg.as_bytes(policy=policy.SMTP))  # CRLF line ends, as SMTP requires
            if code != 250:
                smtp.rset()
                return Delivery(False, message_id, f"Message refused: {code} {_text(resp)}")
            return Delivery(True, message_id, f"{code} {_text(resp)}")
        except smtplib.SMTPResponseException as e:
            return Delivery(False, message_id, f"{e.smtp_code} {_text(e.smtp_error)}")
        except (OSError, smtplib.SMTPException) as e:
            raise SmtpUnavailable(f"The SMTP server at {self.config.host}:{self.config.port} dropped the "
                                  f"connection ({_reason(e)})") from e


def _text(resp: bytes | str) -> str:
    return resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)


def _reason(e: BaseException) -> str:
    if isinstance(e, smtplib.SMTPResponseException):
        return f"{e.smtp_code} {_text(e.smtp_error)}"
    return str(e) or type(e).__name__
