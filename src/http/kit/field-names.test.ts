import { expect } from 'chai';
import { ServiceError, UnavailableError, ValidationError } from '../../services/errors.js';
import { renameFields, withFieldNames } from './field-names.js';

describe('dialect field names in service errors', () => {
  const names = { 'body.to': 'body.phoneId', 'body.schedule_at': 'body.scheduledTime', file: 'mediaFile' };

  it('renames whole field names and their sub-fields, in the list and in the message', () => {
    const err = ValidationError.many([
      { field: 'body.to', message: 'is not a valid phone number' },
      { field: 'body.token', message: 'untouched' },
      { field: 'file', message: 'is too large' },
      { field: 'body.schedule_at.x', message: 'nested' },
    ]);
    const renamed = renameFields(err, names);
    expect(renamed.status).to.equal(400);
    expect(renamed.errors.map((e) => e.field)).to.deep.equal(['body.phoneId', 'body.token', 'mediaFile', 'body.scheduledTime.x']);
    expect(renamed.message).to.equal('body.phoneId: is not a valid phone number; body.token: untouched; mediaFile: is too large; body.scheduledTime.x: nested');
  });

  it('keeps status and headers, and lets other errors through untouched', async () => {
    const unavailable = await withFieldNames(names, () => Promise.reject(new UnavailableError('WhatsApp is not connected', 30))).catch((e: unknown) => e);
    expect(unavailable).to.be.instanceOf(ServiceError);
    expect((unavailable as ServiceError).status).to.equal(503);
    expect((unavailable as ServiceError).headers).to.deep.equal({ 'Retry-After': '30' });
    const bug = new TypeError('a bug');
    expect(await withFieldNames(names, () => Promise.reject(bug)).catch((e: unknown) => e)).to.equal(bug);
    expect(await withFieldNames(names, async () => 42)).to.equal(42);
  });
});
