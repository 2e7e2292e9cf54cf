/**
 * The media plane's building blocks: RTP (RFC 3550) packets, G.711 (PCMU/PCMA) coding, WAV prompts cut into
 * 20 ms frames, RFC 4733 telephone-events and a DTMF detector, SIP INFO DTMF bodies, SDP offer/answer for audio
 * (RFC 3264), the RTP port pool and {@link io.hankyo.sip.media.MediaSession}, which sends, receives and relays RTP
 * on one UDP port. The classes are self-contained: they know nothing of SIP dialogs or of the call state machine.
 */
package io.hankyo.sip.media;
