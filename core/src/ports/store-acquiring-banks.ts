/** An acquiring bank the PSP works with; merchants choose one in their live-account application. */
export interface AcquiringBank {
  id: string;
  name: string;
  /** Inactive banks stay on old applications but cannot be chosen any more. */
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The list the PSP maintains in the back office (a few dozen rows at most, so no paging). */
export interface AcquiringBankRepository {
  insert(args: { bank: AcquiringBank }): Promise<void>;
  get(args: { id: string }): Promise<AcquiringBank | null>;
  /** Oldest first; `activeOnly` for what merchants may choose. */
  list(args: { activeOnly: boolean }): Promise<AcquiringBank[]>;
  /** Replaces name and active flag; the bank after the change, or null when there is none. */
  update(args: { id: string; name: string; active: boolean; now: Date }): Promise<AcquiringBank | null>;
}
