  // ------------------------------------------------------------------ DOMException
  // Legacy codes by position (1..25); '-' marks codes that no error name has.
  const domNames = ('IndexSize - HierarchyRequest WrongDocument InvalidCharacter - NoModificationAllowed NotFound NotSupported ' +
    'InUseAttribute InvalidState Syntax InvalidModification Namespace InvalidAccess - TypeMismatch Security Network Abort ' +
    'URLMismatch QuotaExceeded Timeout InvalidNodeType DataClone').split(' ');
  let isDOMException;
  class DOMException extends Error {
    #name;
    #message;
    constructor(message = '', options = 'Error') {
      super();
      this.#message = `${message}`;
      if (options !== null && typeof options === 'object') {
        this.#name = `${options.name}`;
        if ('cause' in options) defineProperty(this, 'cause', hidden(options.cause));
      } else {
        this.#name = `${options}`;
      }
    }
    get name() { return domOf(this).#name; }
    get message() { return domOf(this).#message; }
    get code() {
      const name = domOf(this).#name;
      const index = name.endsWith('Error') ? domNames.indexOf(name.slice(0, -5)) : -1;
      return index === -1 || domNames[index] === '-' ? 0 : index + 1;
    }
    static { isDOMException = (v) => isObjectLike(v) && #name in v; }
  }
  const domOf = (v) => { if (!isDOMException(v)) throw invalidThis('DOMException'); return v; };
  {
    const constants = {};
    ('INDEX_SIZE DOMSTRING_SIZE HIERARCHY_REQUEST WRONG_DOCUMENT INVALID_CHARACTER NO_DATA_ALLOWED NO_MODIFICATION_ALLOWED ' +
      'NOT_FOUND NOT_SUPPORTED INUSE_ATTRIBUTE INVALID_STATE SYNTAX INVALID_MODIFICATION NAMESPACE INVALID_ACCESS VALIDATION ' +
      'TYPE_MISMATCH SECURITY NETWORK ABORT URL_MISMATCH QUOTA_EXCEEDED TIMEOUT INVALID_NODE_TYPE DATA_CLONE')
      .split(' ').forEach((name, i) => { constants[`${name}_ERR`] = { value: i + 1, enumerable: true }; });
    Object.defineProperties(DOMException, constants);
    Object.defineProperties(DOMException.prototype, constants);
  }
