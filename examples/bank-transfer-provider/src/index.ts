export { bankTransfer, SIGNATURE_HEADER, signBankNotification } from './bank-transfer';
