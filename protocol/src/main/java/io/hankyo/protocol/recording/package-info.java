/** Call recording settings (2者間通話録音, issue 4): what a tracking number records and its consent prompt. */
package io.hankyo.protocol.recording;
