/** What http.ts needs of a way to send JSON requests other than fetch (socket-transport.ts). */
/** Why a request got no whole answer: the connection failed before one came, or the answer broke off (`cutOff`); `cause` is the runtime's error. */
export class TransportError extends Error {
    cutOff;
    timedOut;
    constructor(message, cutOff, options, 
    /** No whole answer came within the request's time. */
    timedOut = false) {
        super(message, options);
        this.cutOff = cutOff;
        this.timedOut = timedOut;
    }
}
